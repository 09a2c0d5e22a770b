import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/*
 * The wings of packages/functions are fenced by lint (eslint.config.js, `cbm/wing-fences`; docs/architecture.md).
 * Each case lints a few lines as if they were a file at `file`, so a fence that stopped working fails here.
 */
const ROOT = join(import.meta.dirname, "../../..");
const eslint = new ESLint({ cwd: ROOT });

async function fenceErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, "packages/functions/src", file) });
  return result!.messages.filter((m) => m.ruleId === "cbm/wing-fences").map((m) => m.message);
}

describe("the wing fences", () => {
  it("refuses a wing reaching into another wing's internal file", async () => {
    const errors = await fenceErrors(
      "tick/probe.ts",
      'import type { ApprovalLinkIssuer } from "../approvals/links/link-issuer";\nexport type Probe = ApprovalLinkIssuer;\n',
    );
    expect(errors).toEqual([expect.stringContaining('through its index ("approvals")')]);
  });

  it("lets a wing import another wing through its index", async () => {
    const errors = await fenceErrors(
      "tick/probe.ts",
      'import type { ApprovalLinkIssuer } from "../approvals";\nexport type Probe = ApprovalLinkIssuer;\n',
    );
    expect(errors).toEqual([]);
  });

  it("refuses platform importing a wing, even through its index", async () => {
    const errors = await fenceErrors(
      "platform/http/probe.ts",
      'import { createBlockUseCases } from "../../blocks";\nexport const probe = createBlockUseCases;\n',
    );
    expect(errors).toEqual([expect.stringContaining("platform/ sits below the wings")]);
  });

  it("lets a wing import platform", async () => {
    const errors = await fenceErrors("blocks/probe.ts", 'import { html } from "../platform/web/html";\nexport const probe = html;\n');
    expect(errors).toEqual([]);
  });

  it("refuses observability importing the HTTP plumbing", async () => {
    const errors = await fenceErrors(
      "platform/observability/probe.ts",
      'import { defineRoute } from "../http/types";\nexport const probe = defineRoute;\n',
    );
    expect(errors).toEqual([expect.stringContaining("Observability imports no HTTP or web plumbing")]);
  });

  it("refuses a port importing anything of the package", async () => {
    const errors = await fenceErrors(
      "platform/ports/probe.ts",
      'import type { Logger } from "../observability/logger";\nexport type Probe = Logger;\n',
    );
    expect(errors).toEqual([expect.stringContaining("A port imports nothing of the package")]);
  });

  it("refuses a port importing a value, even from core", async () => {
    const errors = await fenceErrors("platform/ports/probe.ts", 'import { Block } from "@cbm/core";\nexport const probe = Block;\n');
    expect(errors).toEqual([expect.stringContaining("nothing but core's types")]);
  });

  it("lets a port import core's types", async () => {
    const errors = await fenceErrors("platform/ports/probe.ts", 'import type { Block } from "@cbm/core";\nexport type Probe = Block;\n');
    expect(errors).toEqual([]);
  });

  it("refuses an adapter importing a wing", async () => {
    const errors = await fenceErrors("adapters/probe.ts", 'import { createTick } from "../tick";\nexport const probe = createTick;\n');
    expect(errors).toEqual([expect.stringContaining("imports no wing")]);
  });

  it("refuses an adapter importing the HTTP plumbing", async () => {
    const errors = await fenceErrors(
      "adapters/probe.ts",
      'import { defineRoute } from "../platform/http/types";\nexport const probe = defineRoute;\n',
    );
    expect(errors).toEqual([expect.stringContaining("no HTTP or web plumbing")]);
  });

  it("refuses a wing building an adapter itself", async () => {
    const errors = await fenceErrors(
      "usage/probe.ts",
      'import { createDynamoUsageStore } from "../adapters/dynamo-usage-store";\nexport const probe = createDynamoUsageStore;\n',
    );
    expect(errors).toEqual([expect.stringContaining("only a type may be imported (not createDynamoUsageStore)")]);
  });

  it("refuses platform importing a value from an adapter", async () => {
    const errors = await fenceErrors(
      "platform/http/probe.ts",
      'import { sdkClientConfig } from "../../adapters/call-limits";\nexport const probe = sdkClientConfig;\n',
    );
    expect(errors).toEqual([expect.stringContaining("only a type may be imported (not sdkClientConfig)")]);
  });

  it("lets a wing import an adapter's type", async () => {
    const errors = await fenceErrors(
      "usage/probe.ts",
      'import type { CallLimits } from "../adapters/call-limits";\nexport type Probe = CallLimits;\n',
    );
    expect(errors).toEqual([]);
  });

  it("refuses a wing importing the composition", async () => {
    const errors = await fenceErrors(
      "requests/worker/probe.ts",
      'import { createAssembly } from "../../composition/assembly";\nexport const probe = createAssembly;\n',
    );
    expect(errors).toEqual([expect.stringContaining("Only the entry points import the composition")]);
  });

  it("lets the composition import a wing's internals", async () => {
    const errors = await fenceErrors(
      "composition/probe.ts",
      'import { blockRoutes } from "../blocks/block-routes";\nexport const probe = blockRoutes;\n',
    );
    expect(errors).toEqual([]);
  });

  it("refuses two files that import each other (import-x/no-cycle)", async () => {
    // no-cycle follows an import to the file on disk and reads that file's imports, so a cycle cannot be shown with
    // lintText alone: the pair is written to a scratch folder inside src/ (the tsconfig's resolver only sees src) and
    // removed afterwards.
    const dir = mkdtempSync(join(ROOT, "packages/functions/src/cycle-probe-"));
    try {
      writeFileSync(join(dir, "a.ts"), 'import { b } from "./b";\nexport const a = (): number => b() + 1;\n');
      writeFileSync(join(dir, "b.ts"), 'import { a } from "./a";\nexport const b = (): number => a() - 1;\n');
      const [result] = await eslint.lintFiles([join(dir, "a.ts")]);
      const cycles = result!.messages.filter((m) => m.ruleId === "import-x/no-cycle");
      expect(cycles).toEqual([expect.objectContaining({ message: expect.stringContaining("Dependency cycle") })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds every file of src inside its fences", async () => {
    const results = await eslint.lintFiles(["packages/functions/src/**/*.ts"]);
    const crossings = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === "cbm/wing-fences").map((m) => `${r.filePath}: ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(100);
    expect(crossings).toEqual([]);
  });
});
