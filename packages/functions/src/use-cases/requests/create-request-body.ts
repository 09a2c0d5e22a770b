import * as z from "zod";
import { ExtensionPolicy, Money, parseOrThrow, PK, RegionName, SafeText } from "@cbm/core";

/**
 * The command `POST /requests` carries (kept beside its use case, which takes it typed; the route parses it): durations in days or hours, limits flat beside the wants, the bought
 * block's policy under `policy`. It becomes core's RequestWanted / RequestLimits, which hold the business rules.
 */
export const CreateRequestBody = z.strictObject({
  name: SafeText.max(200).optional(),
  instanceType: z.string(),
  instanceCount: z.number().int().default(1),
  durationDays: z.number().int().optional(),
  durationHours: z.number().int().optional(),
  earliestStart: z.string().optional(),
  latestStart: z.string(),
  regions: z.array(RegionName).optional(),
  availabilityZones: z.array(z.string()).optional(),
  allAvailabilityZones: z.boolean().optional(),
  maxUpfrontFee: Money.optional(),
  maxPricePerInstanceHour: Money.optional(),
  budget: Money.optional(),
  currency: z.string().optional(),
  requireApproval: z.boolean().default(true),
  platform: z.enum(["Linux/UNIX", "Red Hat Enterprise Linux", "SUSE Linux", "RHEL with HA", "Ubuntu Pro"]).default("Linux/UNIX"),
  blockPk: PK.optional(),
  policy: ExtensionPolicy.partial().optional(),
  tags: z.record(z.string().max(128), z.string().max(256)).optional(),
});
export type CreateRequestBody = z.infer<typeof CreateRequestBody>;

/** The body of `POST /requests` as its route parses it: no body is an empty one; a duration in one unit only. */
export const CreateRequestInput = z.preprocess(
  (body) => body ?? {},
  CreateRequestBody.superRefine((body, ctx) => {
    if (body.durationDays !== undefined && body.durationHours !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["durationDays"],
        message: "give durationDays or durationHours, not both",
        params: { code: "invalid_combination" },
      });
    }
  }),
);

/** Parses a request body outside HTTP (local mode's demo request) exactly as the route does. */
export function parseCreateRequest(body: unknown): CreateRequestBody {
  return parseOrThrow(CreateRequestInput, body);
}
