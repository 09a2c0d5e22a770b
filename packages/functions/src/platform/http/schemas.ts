import * as z from "zod";
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, PK, SafeText, ValidationError } from "@cbm/core";

/** `{PK}` in a path: the same rule as the stored key. */
export const PkParams = z.object({ PK }).strict();

const LIMIT_MESSAGE = `must be an integer from 1 to ${MAX_PAGE_LIMIT}`;
const Limit = z
  .string()
  .regex(/^\d{1,3}$/, { message: LIMIT_MESSAGE })
  .transform(Number)
  .pipe(z.number().int().min(1, { message: LIMIT_MESSAGE }).max(MAX_PAGE_LIMIT, { message: LIMIT_MESSAGE }));

/** `?limit=` (1–MAX_PAGE_LIMIT, default DEFAULT_PAGE_LIMIT) and `?cursor=` from a previous page's `x-next-cursor`. */
export const PageQuery = z
  .object({
    limit: Limit.optional().describe(`Page size, 1–${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`),
    cursor: z.string().min(1).max(2048).optional().describe("The `x-next-cursor` of the previous page"),
  })
  .strict();
export { DEFAULT_PAGE_LIMIT };

/** Optional body of approve (PATCH /{PK}) and deny (POST /{PK}/deny). */
export const VerdictBody = z.object({ comment: SafeText.max(1000).optional() }).strict();
/** The verdict routes' body: none at all means no comment (a JSON `null` is refused, as any non-object). */
export const OptionalVerdictBody = VerdictBody.optional();

export const FieldIssueSchema = z.object({ field: z.string(), message: z.string(), code: z.string() });
export const ErrorBodySchema = z.object({
  message: z.string(),
  code: z.string().describe("Stable machine-readable code, e.g. VALIDATION_FAILED, VERSION_CONFLICT"),
  issues: z.array(FieldIssueSchema).optional().describe("Fields at fault (VALIDATION_FAILED only)"),
});
export const ForbiddenBodySchema = z.object({ message: z.literal("Forbidden") });

/** `If-Match: "3"` (also `3`, `W/"3"`); `*` means any version. */
export function parseIfMatch(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "*") return undefined;
  const m = /^\s*(?:W\/)?"?([1-9]\d{0,14})"?\s*$/.exec(raw);
  if (!m) throw new ValidationError([{ field: "If-Match", message: 'must be the version to update, e.g. "3"', code: "invalid_format" }]);
  return Number(m[1]);
}

export function etag(version: number): string {
  return `"${version}"`;
}
