import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SDK_SCHEMA_FILE, withLiteralTraitKeys } from "../bundling.js";

describe("withLiteralTraitKeys", () => {
  it("writes computed keys that name string constants as those strings, leaving other keys alone", () => {
    const source = [
      `const _xN = "xmlName";`,
      `const _e = "error";`,
      `export var A$ = [3, n0, _A, { [_e]: _c }, [_m], [[0, { [_xN]: _m, [other]: 1 }]]];`,
    ].join("\n");
    expect(withLiteralTraitKeys(source)).toBe(
      [
        `const _xN = "xmlName";`,
        `const _e = "error";`,
        `export var A$ = [3, n0, _A, { "error": _c }, [_m], [[0, { "xmlName": _m, [other]: 1 }]]];`,
      ].join("\n"),
    );
  });
});

/*
 * The rewrite must not change a single schema. For each SDK client CBM bundles, the generated schema file is built
 * as it is and rewritten, both are imported, and every export is compared in full, following the lazy `() => X$`
 * references (with cycles, e.g. DynamoDB's AttributeValue, numbered in visiting order).
 */
const fromFunctions = createRequire(join(import.meta.dirname, "../../packages/functions/package.json"));
const clients = ["@aws-sdk/client-ec2", "@aws-sdk/client-dynamodb", "@aws-sdk/client-sns", "@aws-sdk/client-secrets-manager"];
const outDir = mkdtempSync(join(tmpdir(), "cbm-schemas-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function schemaFileOf(client: string): string {
  return join(dirname(dirname(fromFunctions.resolve(client))), "dist-es/schemas/schemas_0.js");
}

async function importBuilt(file: string, contents: string, tag: string): Promise<Record<string, unknown>> {
  const outfile = join(outDir, `${tag}.mjs`);
  const result = await build({
    stdin: { contents, resolveDir: dirname(file), sourcefile: file },
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "silent",
  });
  writeFileSync(outfile, result.outputFiles[0]!.contents);
  return (await import(outfile)) as Record<string, unknown>;
}

function materialize(value: unknown, seen = new Map<unknown, number>()): unknown {
  if (typeof value === "function") return materialize((value as () => unknown)(), seen);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return `<ref ${seen.get(value)}>`;
  seen.set(value, seen.size);
  if (Array.isArray(value)) return value.map((v) => materialize(v, seen));
  if (value.constructor !== Object) return `<${value.constructor.name}>`;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v, seen)]));
}

describe("the rewritten SDK schema files", () => {
  it.each(clients)("%s: every exported schema is identical after the rewrite", async (client) => {
    const file = schemaFileOf(client);
    expect(file).toMatch(SDK_SCHEMA_FILE);
    const source = readFileSync(file, "utf8");
    const rewritten = withLiteralTraitKeys(source);
    expect(rewritten).not.toBe(source);
    expect(rewritten).not.toMatch(/\[_\w+\]:/);
    const tag = client.replace(/\W/g, "_");
    const [before, after] = [await importBuilt(file, source, `${tag}-before`), await importBuilt(file, rewritten, `${tag}-after`)];
    const names = Object.keys(before).filter((k) => k.endsWith("$"));
    expect(names.length).toBeGreaterThan(10);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const name of names) expect(materialize(after[name]), name).toEqual(materialize(before[name]));
  });
});
