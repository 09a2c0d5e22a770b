import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import {
  CbmError,
  DECISION_GATES,
  InfrastructureError,
  AmbiguousOutcomeError,
  RejectedError,
  ThrottledError,
  type BlockStore,
  type HistoryStore,
} from "@cbm/core";
import { API_ROUTES, PLANNING_ROUTES } from "@cbm/functions/contracts";
import { createApiHandler, mapError, PURCHASE_TIMEOUT_MS, SETTLE_MARGIN_MS } from "../src/index";
import { apiEvent, API_KEY } from "./support/api";

/*
 * Facts the docs state that the code also states must agree: the error codes the API can answer with, the routes,
 * the OpenAPI document, the settle wait of a purchase, the configuration's variables, and every relative link.
 * (The safety table in docs/money-safety.md is written and checked by assembly.test.ts.) CBM_WRITE_DOCS=1 rewrites
 * docs/openapi.json after a deliberate change of the API.
 */

const REPO = resolve(import.meta.dirname, "../../..");
const read = (path: string) => readFileSync(join(REPO, path), "utf8");

/** The lines of the section under `heading` (any level), up to the next heading of the same or a higher level. */
function section(text: string, heading: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, "") === heading);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** The body rows of the first Markdown table in `text`, as arrays of raw cells. */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let inTable = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("|")) {
      inTable = true;
      rows.push(
        line
          .split(/(?<!\\)\|/)
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    } else if (inTable) break;
  }
  return rows.slice(2);
}

const codesIn = (cell: string) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    return statSync(path).isDirectory() ? filesUnder(path, keep) : keep(path) ? [path] : [];
  });
}

const SOURCES = ["packages/core/src", "packages/functions/src"].flatMap((d) => filesUnder(join(REPO, d), (p) => p.endsWith(".ts")));

describe("docs/api.md's error table", () => {
  /** Every `code` an error class declares in core or the functions, as a class the mapper sees. */
  const declared = [
    ...new Set(
      SOURCES.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\bcode(?:: string)? = "([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]!)),
    ),
  ];
  const quiet = { error: () => undefined, warn: () => undefined };
  const answer = (err: unknown) => {
    const { statusCode, body } = mapError(err, quiet);
    return `${statusCode} ${"code" in body ? body.code : "—"}`;
  };
  /** What the API can answer: each declared code the mapper gives a client status, the 503s, and the 500. */
  const answers = new Set([
    ...declared
      .map((code) =>
        answer(
          new (class extends CbmError {
            readonly code = code;
          })("x"),
        ),
      )
      .filter((a) => !a.startsWith("500 ")),
    ...[InfrastructureError, ThrottledError, AmbiguousOutcomeError, RejectedError].map((E) => answer(new E("x"))),
    answer(new InfrastructureError("x", "TimeoutError")),
    answer(new Error("x")),
  ]);
  const documented = new Set(
    tableRows(section(read("docs/api.md"), "Errors")).flatMap(([status, codes]) => codesIn(codes!).map((c) => `${status} ${c}`)),
  );

  it("documents every status and code the API can answer with", () => {
    expect([...answers].filter((a) => !documented.has(a))).toEqual([]);
  });

  it("documents no code the API cannot answer with", () => {
    expect([...documented].filter((d) => !answers.has(d))).toEqual([]);
  });
});

describe("docs/api.md's routes", () => {
  const manifest = [...API_ROUTES, ...PLANNING_ROUTES].sort();

  it("are the route manifests' routes, every method", () => {
    const rows = tableRows(read("docs/api.md"));
    const documented = rows.flatMap(([methods, path]) => codesIn(methods!).map((m) => `${m} ${path!.replace(/`/g, "")}`));

    expect(documented.sort()).toEqual(manifest);
  });

  it("keep the first release's routes", () => {
    const firstRelease = ["GET /", "GET /{PK}", "POST /", "PUT /{PK}", "DELETE /{PK}", "PATCH /{PK}"];

    expect(firstRelease.filter((r) => !manifest.includes(r as (typeof manifest)[number]))).toEqual([]);
  });
});

describe("docs/api.md's block record", () => {
  const documented = tableRows(section(read("docs/api.md"), "The block record")).flatMap(([fields]) =>
    [...fields!.matchAll(/`(\w+)`/g)].map((m) => m[1]!),
  );

  it("names every field of the Block schema the API answers with, and no other", () => {
    const openapi = JSON.parse(read("docs/openapi.json")) as { components: { schemas: { Block: { properties: object } } } };

    expect(documented.sort()).toEqual(Object.keys(openapi.components.schemas.Block.properties).sort());
  });

  it("keeps the first release's data model", () => {
    const firstRelease = ["PK", "capacityReservationId", "instanceType", "availabilityZone", "platform", "tenancy", "startDate", "endDate"];
    const more = ["instanceCount", "approved", "createdAt", "updatedAt"];

    expect([...firstRelease, ...more].filter((f) => !documented.includes(f))).toEqual([]);
  });
});

describe("docs/openapi.json", () => {
  it("is the document GET /openapi.json serves", async () => {
    const handler = createApiHandler({
      store: {} as BlockStore,
      history: {} as HistoryStore,
      secrets: { apiKey: async () => API_KEY },
      logger: { error: () => undefined, warn: () => undefined },
    });
    const res = await handler(apiEvent("GET", "/openapi.json"), { awsRequestId: "docs" } as Context);
    const served = JSON.parse(res.body) as { paths: Record<string, object> };
    const file = join(REPO, "docs/openapi.json");
    if (process.env.CBM_WRITE_DOCS === "1") writeFileSync(file, JSON.stringify(served, null, 2) + "\n");

    const written = JSON.parse(readFileSync(file, "utf8")) as { paths: Record<string, object> };

    expect(res.statusCode).toBe(200);
    expect(written).toEqual(served);
    const routes = Object.entries(written.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual([...API_ROUTES, ...PLANNING_ROUTES].sort());
  });
});

describe("docs/money-safety.md", () => {
  it("states the purchase call's timeout and the settle margin the composition uses", () => {
    const text = read("docs/money-safety.md");

    expect(text).toContain(
      `the purchase call's timeout (${PURCHASE_TIMEOUT_MS / 1000} s) plus the same ${SETTLE_MARGIN_MS / 60_000}-minute margin`,
    );
    expect(text).toContain(`only when its call can no longer take effect: ${SETTLE_MARGIN_MS / 60_000} minutes after it was written`);
  });
});

describe("docs/configuration.md", () => {
  /** The environment variables the functions' configuration schemas read (every `config.ts` in the package). */
  const read_by_code = new Set(
    SOURCES.filter((f) => f.endsWith("/config.ts") && f.includes("/functions/")).flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!),
    ),
  );
  const documented = new Set(tableRows(section(read("docs/configuration.md"), "In the functions")).flatMap(([names]) => codesIn(names!)));

  it("names every variable the functions read", () => {
    expect([...read_by_code].filter((v) => !documented.has(v))).toEqual([]);
  });

  it("names no variable the functions do not read", () => {
    expect(read_by_code.size).toBeGreaterThan(10);
    expect([...documented].filter((v) => !read_by_code.has(v))).toEqual([]);
  });
});

describe("the links in the README and docs", () => {
  const pages = [
    "README.md",
    ...filesUnder(join(REPO, "docs"), (p) => p.endsWith(".md")).map((p) => relative(REPO, p)),
    ...["cli", "local", "ec2-emulator", "functions", "core"].map((p) => `packages/${p}/README.md`).filter((p) => existsSync(join(REPO, p))),
    "stacks/README.md",
  ];

  /** GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
  function anchors(text: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    let fenced = false;
    for (const line of text.split("\n")) {
      if (line.startsWith("```")) fenced = !fenced;
      const m = !fenced && /^#{1,6} (.*)$/.exec(line);
      if (!m) continue;
      const base = m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    return out;
  }

  it.each(pages)("resolve in %s, files and anchors", (page) => {
    const text = read(page).replace(/^```[\s\S]*?^```$/gm, "");
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    const broken = links.filter((link) => {
      const [file, anchor] = link.split("#") as [string, string | undefined];
      const target = file === "" ? join(REPO, page) : join(REPO, dirname(page), file);
      if (!existsSync(target)) return true;
      return anchor !== undefined && target.endsWith(".md") && !anchors(readFileSync(target, "utf8")).has(anchor);
    });

    expect(broken).toEqual([]);
  });
});

describe("docs/money-safety.md's gates", () => {
  it("lists decide()'s gates in DECISION_GATES' order", () => {
    const listed = [...section(read("docs/money-safety.md"), "The order of decide()'s gates").matchAll(/^\d+\. `(\w+)`/gm)].map(
      (m) => m[1],
    );
    expect(listed).toEqual(DECISION_GATES);
  });
});
