import * as z from "zod";
import { isOnLadder } from "./ladder";
import { isDecimalString } from "./money";

/** Defaults of the extension policy; documented in the README, and always written out in the stored record. */
export const POLICY_DEFAULTS = {
  extendByDays: 7,
  lookaheadHours: 48,
  requireApproval: true,
  enabled: true,
  allowShorterFallback: false,
  currency: "USD",
} as const;

/** An ISO 4217 currency code, as EC2 quotes fees: three capital letters. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** Hours before the end below which payment may not clear in time: EC2 takes up to 12 h and must finish by End − 35 min. */
export const MIN_SAFE_LOOKAHEAD_HOURS = 13;
/** EC2 sells extensions from 56 days before the end (reference §2.3). */
export const MAX_LOOKAHEAD_HOURS = 56 * 24;

const MONEY_MESSAGE = 'must be a decimal string such as "1234.50" (no sign, no exponent, at most 6 decimals)';
export const Money = z.string({ error: MONEY_MESSAGE }).refine(isDecimalString, { message: MONEY_MESSAGE });
export type Money = z.infer<typeof Money>;

export const IsoDateTime = z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time such as 2025-06-04T11:30:00Z" });
export type IsoDateTime = z.infer<typeof IsoDateTime>;

/** An extension's length in days; only EC2's ladder (which holds whole days only) is sold. */
export const ExtendByDays = z
  .number({ error: "must be a number of days" })
  .refine(isOnLadder, { message: "must be on EC2's ladder: 1–14 days, or a multiple of 7 from 21 to 182" });

/** How close to the end CBM starts acting, in whole hours: at least 2, at most when EC2 starts selling. */
export const LookaheadHours = z
  .number({ error: "must be a number of hours" })
  .int({ message: "must be a whole number of hours" })
  .min(2, { message: "must be at least 2 hours" })
  .max(MAX_LOOKAHEAD_HOURS, { message: `must be at most ${MAX_LOOKAHEAD_HOURS} hours (56 days, when EC2 starts selling)` });

/** How CBM extends one block. The stored record always holds the effective (defaulted) policy. */
export const ExtensionPolicy = z
  .object({
    /** Length of each extension in days, on EC2's ladder. */
    extendByDays: ExtendByDays.default(POLICY_DEFAULTS.extendByDays),
    /** CBM acts once the current end date is this close; capped by EC2's 56-day window. */
    lookaheadHours: LookaheadHours.default(POLICY_DEFAULTS.lookaheadHours),
    /** A human must approve each extension (PATCH /{PK}) unless no approval topic is configured. */
    requireApproval: z.boolean().default(POLICY_DEFAULTS.requireApproval),
    /** Highest upfront fee for one extension; no cap when absent. */
    maxUpfrontFee: Money.optional(),
    /** Total spend cap over the block's managed life (paid and pending extensions); no cap when absent. */
    budget: Money.optional(),
    /** Stop extending once the end date reaches this instant. */
    extendUntil: IsoDateTime.optional(),
    /** Stop after this many purchased extensions. */
    maxExtensions: z.number().int().min(0).optional(),
    /** Pause switch: false means CBM watches but never buys or asks. */
    enabled: z.boolean().default(POLICY_DEFAULTS.enabled),
    /** When the wanted duration has no offering, try shorter ladder durations. */
    allowShorterFallback: z.boolean().default(POLICY_DEFAULTS.allowShorterFallback),
    /**
     * Continuity: when EC2 offers no extension (nor an allowed fallback) while the window is open, open a capacity
     * request for a successor block (same type, count and zone, starting at this block's end) under the same
     * approval rule and caps. Instances must then move to the new reservation; CBM says so in its notice.
     */
    openSuccessorRequest: z.boolean().optional(),
    /**
     * Idle blocks: when nothing has run in the block for the last N hours (usage sampler), CBM denies the current
     * window's extension itself (actor `cbm:idle`, one notice) and lifts that denial once instances run again.
     */
    skipExtensionWhenIdleHours: z
      .number()
      .int()
      .min(1)
      .max(56 * 24)
      .optional(),
    /** Currency of `maxUpfrontFee` and `budget`; offerings in another currency are never bought. */
    currency: z.string().regex(CURRENCY_PATTERN, { message: "must be an ISO 4217 code such as USD" }).default(POLICY_DEFAULTS.currency),
    /** Every approval and denial must give a justification (recorded in history); absent means false. */
    requireJustification: z.boolean().optional(),
  })
  .strict();
export type ExtensionPolicy = z.infer<typeof ExtensionPolicy>;
