import * as z from "zod";
import { SafeText } from "@cbm/core";

const WINDOW_MESSAGE = 'must be "next" or the window\'s end as an ISO-8601 date-time, e.g. 2026-03-10T11:30:00Z';

/**
 * The window a block verdict names. Left out, only the window a notice asked about is decided; naming one ("next",
 * or its end date) is how a person approves or denies in advance, so a repeated command never reaches further.
 */
const WindowChoice = z
  .string({ error: WINDOW_MESSAGE })
  .refine(
    (s) => s === "next" || (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s))),
    {
      message: WINDOW_MESSAGE,
    },
  );

/** Body of PATCH /{PK} (approve) and POST /{PK}/deny. */
export const BlockVerdictBody = z
  .object({
    comment: SafeText.max(1000).optional(),
    window: WindowChoice.optional().describe('Which window: left out, the one a notice asked about; "next" or an end date, in advance'),
  })
  .strict();

/** None at all means no comment and the asked window (a JSON `null` is refused, as any non-object). */
export const OptionalBlockVerdictBody = BlockVerdictBody.optional();
