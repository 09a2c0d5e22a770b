import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");

/** Each core module and the core modules it imports, type-only imports and re-exports included. */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(SRC).filter((f) => f.endsWith(".ts"));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(SRC, file), "utf8"), true, true);
    const local = importedFiles.map((i) => i.fileName).filter((name) => name.startsWith("./"));
    graph.set(file, [...new Set(local.map((name) => `${name.slice(2).replace(/\.js$/, "")}.ts`))]);
  }
  return graph;
}

/** The first circle found, as a path that starts and ends at the same module; undefined when there is none. */
function firstCircle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    const at = path.indexOf(file);
    if (at >= 0) return [...path.slice(at), file];
    if (done.has(file)) return undefined;
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    path.pop();
    done.add(file);
    return undefined;
  };
  for (const file of graph.keys()) {
    const circle = visit(file);
    if (circle) return circle;
  }
  return undefined;
}

// eslint's import-x/no-cycle guards value imports in every package; it skips type-only imports, so this test holds
// core to the stricter rule: a type-only circle still ties two modules into one that cannot be read or moved alone.
describe("core's import graph", () => {
  it("has no circle, type-only imports included", () => {
    expect(firstCircle(importGraph())).toBeUndefined();
  });

  it("names the modules of a circle in the order they import each other", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);

    expect(firstCircle(graph)).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
  });

  it("reads every core module's imports", () => {
    const graph = importGraph();

    expect(graph.get("ports.ts")).toContain("block.ts");
    expect(graph.get("index.ts")).toContain("ports.ts");
  });
});
