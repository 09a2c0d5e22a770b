import { invalidValue } from "./errors";
import type { Filter } from "./query-parser";
import { parseTimestamp } from "./time";

/** How to read one filterable field from an item: a string, several strings, or a timestamp. */
export type FieldReader<T> =
  | { kind: "text"; read: (item: T) => string | readonly string[] | undefined }
  | { kind: "date"; read: (item: T) => number | undefined };

export type FilterFields<T> = Record<string, FieldReader<T>>;

export interface TagReader<T> {
  tags: (item: T) => readonly { key: string; value: string }[];
}

/**
 * Compiles EC2 filters into one predicate: values of one filter are OR-ed, filters are AND-ed, string values
 * accept EC2's `*` and `?` wildcards, dates match the same instant. Unknown names are rejected up front.
 */
export function compileFilters<T>(filters: Filter[], fields: FilterFields<T>, tagReader?: TagReader<T>): (item: T) => boolean {
  const tests = filters.map((f) => compileOne(f, fields, tagReader));
  return (item) => tests.every((test) => test(item));
}

function compileOne<T>(filter: Filter, fields: FilterFields<T>, tagReader?: TagReader<T>): (item: T) => boolean {
  if (tagReader && filter.name.startsWith("tag:")) {
    const key = filter.name.slice(4);
    const patterns = filter.values.map(glob);
    return (item) => tagReader.tags(item).some((t) => t.key === key && patterns.some((p) => p.test(t.value)));
  }
  if (tagReader && filter.name === "tag-key") {
    const patterns = filter.values.map(glob);
    return (item) => tagReader.tags(item).some((t) => patterns.some((p) => p.test(t.key)));
  }
  const field = fields[filter.name];
  if (!field) throw invalidValue(`The filter '${filter.name}' is invalid`);
  if (field.kind === "date") {
    const instants = filter.values.map((v) => {
      const ms = parseTimestamp(v);
      if (ms === undefined) throw invalidValue(`The filter value '${v}' for '${filter.name}' is not a valid date`);
      return ms;
    });
    return (item) => {
      const ms = field.read(item);
      return ms !== undefined && instants.includes(ms);
    };
  }
  const patterns = filter.values.map(glob);
  return (item) => {
    const raw = field.read(item);
    if (raw === undefined) return false;
    const values = typeof raw === "string" ? [raw] : raw;
    return values.some((v) => patterns.some((p) => p.test(v)));
  };
}

function glob(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`);
}
