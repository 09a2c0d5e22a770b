import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HistoryEvent } from "@cbm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { startLocal } from "../src/start-local";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/*
 * Issue 22, finding 7: the examples a reader pastes must run as pasted on the day they are read. Every fenced block
 * marked `bash readme-test` in the README (the tour) and in docs/api.md (the API and planning examples), in that
 * order, runs in bash against local mode as the README starts it (--clock-rate 60: the scheduler ticks every real
 * second), with curl failing on any HTTP error. Only the line that exports the URL and the key printed by
 * `npm start` is replaced, by the same values in the environment.
 */

const REPO = join(import.meta.dirname, "..", "..", "..");
const PAGES = ["README.md", "docs/api.md"];
const BLOCKS = PAGES.flatMap((page) =>
  [...readFileSync(join(REPO, page), "utf8").matchAll(/^```bash readme-test\n([\s\S]*?)^```$/gm)].map((m) => m[1]!),
);

// Each command must succeed: curl fails on an HTTP error status (and still prints the body, for the report).
const PRELUDE = `set -eu
curl() { command curl --silent --show-error --fail-with-body "$@"; }
`;

let local: LocalHandle;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cbm-readme-"));
  local = await startLocal({ port: 0, clockRate: 60, stateDir: join(root, "state"), print: () => undefined });
  // The README's table: llm-pretrain's approval request comes "at once", i.e. at the first ticks after the banner.
  for (let i = 0; i < 60; i++) {
    const res = await fetch(`${local.apiUrl}/llm-pretrain`, { headers: { "x-api-key": local.apiKey } });
    if (((await res.json()) as { status: string }).status === "awaiting-approval") return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("llm-pretrain was not asked about within 30 s");
}, 60_000);

afterAll(async () => {
  await local?.stop();
  rmSync(root, { recursive: true, force: true });
});

function runBash(script: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("timeout", ["120", "bash", "-c", PRELUDE + script], {
      cwd: REPO,
      env: { ...process.env, API_URL: local.apiUrl, API_KEY: local.apiKey, CBM_LOCAL_DIR: join(root, "state") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("the examples of the README and docs/api.md, as pasted", () => {
  it("marks the tour, the API examples, the planning examples for testing", () => {
    expect(BLOCKS).toHaveLength(3);
  });

  it.each([0, 1, 2])("runs block %i to the end, every command succeeding", async (i) => {
    const script = BLOCKS[i]!.replace(/^export API_URL=.*$/m, "");

    const { code, out } = await runBash(script);

    expect(code, out.slice(-3000)).toBe(0);
  });

  it("approved only windows llm-pretrain was asked about, though the tour approves with curl, then again with the CLI", async () => {
    const history = (await (
      await fetch(`${local.apiUrl}/llm-pretrain/history?limit=100`, { headers: { "x-api-key": local.apiKey } })
    ).json()) as HistoryEvent[];

    const approvals = history.filter((e) => e.type === "approved");
    expect(approvals.length).toBeGreaterThanOrEqual(1);
    // A second approval is of the next window only once a notice asked about it, never in advance.
    expect(approvals.filter((e) => /in advance/.test(e.message))).toEqual([]);
    expect(new Set(approvals.map((e) => e.data?.window)).size).toBe(approvals.length);
  });
});
