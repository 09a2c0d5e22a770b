import { describe, expect, it } from "vitest";
import { cbm } from "./helpers";

/*
 * Issue 22, finding 8: flag mistakes are usage errors (exit 2) that state the rule broken and the valid range, found
 * before anything is sent (no API is configured here, so reaching the API would fail differently).
 */

const request = ["request", "add", "--type", "p5.48xlarge", "--days", "1", "--max-fee", "100"];

describe("cbm flag messages", () => {
  it.each(["65", "99999", "100000", "0"])("refuses --count %s with the range 1 to 64 and exit 2", async (count) => {
    const r = await cbm([...request, "--latest-start", "2031-01-01", "--count", count]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--count must be a whole number from 1 to 64 (instances in one Capacity Block), not '${count}'`);
  });

  it("names EC2's ladder for a duration that is not on it", async () => {
    const r = await cbm(["offerings", "--type", "p5.48xlarge", "--days", "15"]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--days 15 is not on EC2's duration ladder: EC2 sells 1–14 days, then 21, 28 … 182 (weekly)");
  });

  it("refuses a negative --budget by its rule, not with Node's 'argument is ambiguous'", async () => {
    const r = await cbm(["request", "add", "--type", "p5.48xlarge", "--days", "1", "--latest-start", "2031-01-01", "--budget", "-5"]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--budget must be an amount greater than 0, such as 1234.50, not '-5'");
    expect(r.stderr).not.toMatch(/ambiguous/);
  });

  it("refuses a --latest-start that is not a date, saying which forms are valid", async () => {
    const r = await cbm([...request, "--latest-start", "next tuesday"]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--latest-start must be a date (2026-12-01, read as 00:00 UTC) or a date-time with a zone");
  });

  it("sends a plain --latest-start date as 00:00 UTC", async () => {
    const sent: unknown[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      sent.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify({ message: "stop here", code: "VALIDATION_FAILED", issues: [] }), {
        status: 400,
        headers: { "content-type": "application/json" },
      });
    }) as unknown as typeof globalThis.fetch;

    await cbm([...request, "--latest-start", "2026-12-01", "--api-url", "http://127.0.0.1:9", "--api-key", "k".repeat(40)], { fetch });

    expect(sent).toEqual([expect.objectContaining({ latestStart: "2026-12-01T00:00:00.000Z" })]);
  });
});
