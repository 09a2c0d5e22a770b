import * as z from "zod";
import { isSafeText } from "./safe-text";

/**
 * EC2's tag rules, which CBM's tags follow since CBM sends them to EC2 (a bought block's reservation): letters,
 * marks and digits of any script, spaces, and `+ - = . _ : / @`. Everything else is refused, which covers control
 * characters, bidi overrides and isolates, and lone surrogates: a tag is shown in the console, in the spend report,
 * its CSV and on a terminal, and must read there as it was typed.
 */
const TAG_CHARS = /^[\p{L}\p{M}\p{N} +\-=._:/@]*$/u;
const UNSAFE_MESSAGE = "must not contain control characters, bidi overrides or lone surrogates";
const CHARS_MESSAGE = "may hold only letters, digits, spaces and + - = . _ : / @ (EC2's tag rules)";

/** A tag key: 1–128 characters by EC2's rules; `aws:` (any case) is reserved to AWS. */
export const TagKey = z
  .string()
  .min(1)
  .max(128)
  .refine(isSafeText, { message: UNSAFE_MESSAGE, abort: true })
  .refine((k) => TAG_CHARS.test(k), { message: CHARS_MESSAGE })
  .refine((k) => !k.toLowerCase().startsWith("aws:"), { message: "must not start with aws: (reserved to AWS)" });
export type TagKey = z.infer<typeof TagKey>;

/** A tag value: at most 256 characters by EC2's rules (empty is allowed, as EC2 allows it). */
export const TagValue = z
  .string()
  .max(256)
  .refine(isSafeText, { message: UNSAFE_MESSAGE, abort: true })
  .refine((v) => TAG_CHARS.test(v), { message: CHARS_MESSAGE });
export type TagValue = z.infer<typeof TagValue>;

/**
 * Labels a person gives a block or a capacity request, e.g. `{ "team": "research" }`: the console groups spend by
 * `team`. Keys are checked one by one so each refusal names its key and says why (a record schema would only say
 * "invalid key").
 */
export const BlockTags = z.record(z.string(), TagValue).superRefine((tags, ctx) => {
  const keys = Object.keys(tags);
  if (keys.length > 20) ctx.addIssue({ code: "custom", message: "at most 20 tags" });
  for (const key of keys) {
    const checked = TagKey.safeParse(key);
    if (!checked.success) ctx.addIssue({ code: "custom", path: [key], message: `key ${checked.error.issues[0]!.message}` });
  }
});
export type BlockTags = z.infer<typeof BlockTags>;

/**
 * Tags as stored: records written before the rules above keep loading, whatever they hold; every place that shows
 * them escapes what the rules would refuse (pages, CSV, the CLI).
 */
export const StoredTags = z.record(z.string(), z.string());
export type StoredTags = z.infer<typeof StoredTags>;

/**
 * The stored tags that fit the rules, the others left out: what CBM sends to EC2 for a record stored before the
 * rules, so one bad label neither reaches EC2 nor blocks the purchase.
 */
export function tagsByTheRules(tags: StoredTags | undefined): BlockTags {
  return Object.fromEntries(Object.entries(tags ?? {}).filter(([k, v]) => TagKey.safeParse(k).success && TagValue.safeParse(v).success));
}
