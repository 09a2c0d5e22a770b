import type * as z from "zod";
import { ValidationError, type FieldIssue } from "./errors";

/**
 * Converts a zod error into field issues named by the path as sent (`policy.budget`); unknown keys get one issue
 * each. A custom issue (a conflict, a read-only field …) carries its own stable code in `params.code`.
 */
export function fieldIssuesFromZod(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        out.push({ field: base ? `${base}.${key}` : key, message: "is not a known field", code: "unknown_field" });
    } else {
      const custom = issue.code === "custom" && typeof issue.params?.code === "string" ? issue.params.code : undefined;
      out.push({ field: base, message: issue.message, code: custom ?? issue.code });
    }
  }
  return out;
}

/** Parses untrusted input with `schema`: its output, or a ValidationError naming each field at fault. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error));
  return parsed.data;
}
