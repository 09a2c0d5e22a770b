import * as z from "zod";
import { IsoDateTime } from "./policy";

/** What happened to a block, newest first in the API; every decision with an effect, and every human act. */
export const HistoryEventType = z.enum([
  "created",
  "updated",
  "deleted",
  "approved",
  "approval-voided",
  "spend-carried",
  "spend-reset",
  "auto-approved",
  "denied",
  "approval-requested",
  "purchase-intent",
  "purchased",
  "purchase-rejected",
  "purchase-ambiguous",
  "intent-settled",
  "payment-succeeded",
  "payment-failed",
  "payment-pending-alert",
  "end-date-changed",
  "status-changed",
  /** The tick tagged the reservation `cbm:stage=<stage>` at EC2: this stage now owns it (see stage-claim.ts). */
  "stage-claimed",
  "error",
]);
export type HistoryEventType = z.infer<typeof HistoryEventType>;

export const HistoryEvent = z.object({
  PK: z.string(),
  at: IsoDateTime,
  /** Unique and time-ordered (sort key suffix), so two events in the same millisecond both survive. */
  id: z.string(),
  type: HistoryEventType,
  /** `api-key`, `scheduler`, `cli:<user>` …: who did it. */
  actor: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type HistoryEvent = z.infer<typeof HistoryEvent>;
