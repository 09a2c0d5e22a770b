import { invalidValue, missingParameter } from "./errors";
import { parseTimestamp } from "./time";

export interface Filter {
  name: string;
  values: string[];
}

export interface TagSpecification {
  resourceType?: string;
  tags: { key: string; value: string }[];
}

const LIST_KEY = /^(.+)\.(\d+)$/;

/**
 * The parameters of one EC2 Query request. Lists arrive flattened (`Key.N`, `Filter.N.Value.M`) in any key order,
 * so every accessor sorts by index instead of trusting arrival order.
 */
export class QueryParams {
  private constructor(private readonly map: Map<string, string>) {}

  /** Parses an `application/x-www-form-urlencoded` body; the first occurrence of a repeated key wins. */
  static parse(body: string): QueryParams {
    const map = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(body)) {
      if (!map.has(key)) map.set(key, value);
    }
    return new QueryParams(map);
  }

  static of(entries: Record<string, string>): QueryParams {
    return new QueryParams(new Map(Object.entries(entries)));
  }

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  entries(): [string, string][] {
    return [...this.map.entries()];
  }

  string(key: string, options: { required: true }): string;
  string(key: string, options?: { required?: boolean }): string | undefined;
  string(key: string, options: { required?: boolean } = {}): string | undefined {
    const value = this.map.get(key);
    if ((value === undefined || value === "") && options.required) throw missingParameter(key);
    return value === "" ? undefined : value;
  }

  int(key: string, options: { required: true; min?: number; max?: number }): number;
  int(key: string, options?: { required?: boolean; min?: number; max?: number }): number | undefined;
  int(key: string, options: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const raw = this.string(key, { required: options.required ?? false });
    if (raw === undefined) return undefined;
    if (!/^-?\d{1,10}$/.test(raw)) throw invalidValue(`Value (${raw}) for parameter ${key} is invalid. Expected an integer.`);
    const n = Number(raw);
    if ((options.min !== undefined && n < options.min) || (options.max !== undefined && n > options.max)) {
      throw invalidValue(
        `Value (${n}) for parameter ${key} is invalid. Expected a value between ${options.min ?? "-∞"} and ${options.max ?? "∞"}.`,
      );
    }
    return n;
  }

  bool(key: string): boolean {
    const raw = this.map.get(key);
    if (raw === undefined || raw === "") return false;
    if (raw === "true") return true;
    if (raw === "false") return false;
    throw invalidValue(`Value (${raw}) for parameter ${key} is invalid. Expected 'true' or 'false'.`);
  }

  timestamp(key: string): number | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    const ms = parseTimestamp(raw);
    if (ms === undefined) throw invalidValue(`Value (${raw}) for parameter ${key} is invalid. Expected an ISO 8601 timestamp.`);
    return ms;
  }

  /** `Prefix.1`, `Prefix.2`, … in index order. */
  list(prefix: string): string[] {
    return sortedByIndex(this.map, prefix);
  }

  /** `Filter.N.Name` + `Filter.N.Value.M`. */
  filters(): Filter[] {
    return this.groups("Filter").map(({ index, sub }) => {
      const name = sub.get("Name");
      if (!name) throw missingParameter(`Filter.${index}.Name`);
      const values = sortedByIndex(sub, "Value");
      if (values.length === 0) throw invalidValue(`The filter '${name}' must have at least one value`);
      return { name, values };
    });
  }

  /** `TagSpecification.N.ResourceType` + `TagSpecification.N.Tag.M.Key|Value`. */
  tagSpecifications(): TagSpecification[] {
    return this.groups("TagSpecification").map(({ sub }) => {
      const tagGroups = groupBy(sub, "Tag");
      const tags = tagGroups.map(({ index, sub: tag }) => {
        const key = tag.get("Key");
        if (!key) throw missingParameter(`TagSpecification.N.Tag.${index}.Key`);
        return { key, value: tag.get("Value") ?? "" };
      });
      return { resourceType: sub.get("ResourceType"), tags };
    });
  }

  /** `Prefix.N.Field=value` as one map of fields per N, in index order (e.g. CreateTags' `Tag.N.Key|Value`). */
  indexed(prefix: string): Map<string, string>[] {
    return this.groups(prefix).map(({ sub }) => sub);
  }

  private groups(prefix: string): { index: number; sub: Map<string, string> }[] {
    return groupBy(this.map, prefix);
  }
}

/** Splits `Prefix.N.Rest=value` keys into one map per N (holding `Rest=value`), ordered by N. */
function groupBy(map: Map<string, string>, prefix: string): { index: number; sub: Map<string, string> }[] {
  const byIndex = new Map<number, Map<string, string>>();
  for (const [key, value] of map) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const rest = key.slice(prefix.length + 1);
    const dot = rest.indexOf(".");
    if (dot <= 0) continue;
    const index = Number(rest.slice(0, dot));
    if (!Number.isInteger(index)) continue;
    let sub = byIndex.get(index);
    if (!sub) byIndex.set(index, (sub = new Map()));
    sub.set(rest.slice(dot + 1), value);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([index, sub]) => ({ index, sub }));
}

function sortedByIndex(map: Map<string, string>, prefix: string): string[] {
  const found: [number, string][] = [];
  for (const [key, value] of map) {
    const m = LIST_KEY.exec(key);
    if (m && m[1] === prefix) found.push([Number(m[2]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}
