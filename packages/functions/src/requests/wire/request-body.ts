import * as z from "zod";
import { BlockTags, ExtensionPolicy, Money, parseOrThrow, RegionName, REQUEST_ID_PATTERN, SafeText } from "@cbm/core";
import { AddressablePk } from "../../platform/http/reserved-keys";
import type { CreateRequestCommand } from "../use-cases/create-request-command";

/**
 * The body of `POST /requests` (the wire form): a duration in days or hours, limits flat beside the wants, the
 * bought block's policy under `policy`. It parses into the use case's CreateRequestCommand.
 */
/**
 * A request's name: it becomes the bought block's key unless `blockPk` is given, so it follows the block key rules;
 * a ULID-shaped name is refused, so `/requests/{idOrName}` can never mean two requests.
 */
const RequestNameField = AddressablePk.refine((name) => !REQUEST_ID_PATTERN.test(name), {
  message: "looks like a request id (26 letters and digits); choose a name with a dash or another length",
  params: { code: "looks_like_id" },
});

export const CreateRequestFields = z.strictObject({
  name: RequestNameField.optional(),
  instanceType: SafeText.min(1).max(64),
  instanceCount: z.number().int().default(1),
  durationDays: z.number().int().optional(),
  durationHours: z.number().int().optional(),
  earliestStart: SafeText.max(64).optional(),
  latestStart: SafeText.max(64),
  regions: z.array(RegionName).optional(),
  availabilityZones: z.array(SafeText.max(64)).optional(),
  allAvailabilityZones: z.boolean().optional(),
  maxUpfrontFee: Money.optional(),
  maxPricePerInstanceHour: Money.optional(),
  budget: Money.optional(),
  currency: SafeText.max(8).optional(),
  requireApproval: z.boolean().default(true),
  platform: z.enum(["Linux/UNIX", "Red Hat Enterprise Linux", "SUSE Linux", "RHEL with HA", "Ubuntu Pro"]).default("Linux/UNIX"),
  blockPk: AddressablePk.optional(),
  policy: ExtensionPolicy.partial().optional(),
  // The block bought is labelled with these too, so they follow its rules.
  tags: BlockTags.optional(),
});
export type CreateRequestFields = z.input<typeof CreateRequestFields>;

/** `POST /requests` parsed into its command: no body is an empty one; a duration in one unit only, kept in hours. */
export const CreateRequestBody = z.preprocess(
  (body) => body ?? {},
  CreateRequestFields.transform(({ durationDays, ...fields }, ctx): CreateRequestCommand => {
    if (durationDays !== undefined && fields.durationHours !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["durationDays"],
        message: "give durationDays or durationHours, not both",
        params: { code: "invalid_combination" },
      });
      return z.NEVER;
    }
    return durationDays === undefined ? fields : { ...fields, durationHours: durationDays * 24 };
  }),
);

/** Parses a request body outside HTTP (tests, scripts) exactly as the route does. */
export function parseCreateRequest(body: unknown): CreateRequestCommand {
  return parseOrThrow(CreateRequestBody, body);
}
