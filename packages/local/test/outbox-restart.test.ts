import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Notification } from "@cbm/core";
import { afterAll, describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { startLocal } from "../src/start-local";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/*
 * Issue 22, finding 6: with --data-dir, 20 notices became 1 after a restart, and a pending approval's link was gone,
 * although the README says the data dir keeps the whole world.
 */

const root = mkdtempSync(join(tmpdir(), "cbm-outbox-"));
let running: LocalHandle | undefined;
afterAll(async () => {
  await running?.stop();
  rmSync(root, { recursive: true, force: true });
});

const start = () =>
  startLocal({ port: 0, clockRate: 0, tickSeconds: 0, stateDir: join(root, "state"), dataDir: join(root, "data"), print: () => undefined });

async function outbox(local: LocalHandle): Promise<Notification[]> {
  const res = await fetch(`${local.apiUrl}/_local/outbox`, { headers: { "x-api-key": local.apiKey } });
  return (await res.json()) as Notification[];
}

describe("local mode's outbox with --data-dir", () => {
  it("survives a restart: every earlier notice listed, the pending approval's link still opening its page", async () => {
    running = await start();
    await running.tick();
    const before = await outbox(running);
    const ask = before.find((n) => n.pk === "llm-pretrain" && n.kind === "approval-request");
    expect(ask).toBeDefined();
    const link = /^(http\S+\/link\/\S+)$/m.exec(ask!.body)![1]!;
    await running.stop();
    running = undefined;

    running = await start();
    const after = await outbox(running);

    expect(after.length).toBeGreaterThanOrEqual(before.length);
    expect(after.slice(0, before.length)).toEqual(before);
    // The API listens on another port after the restart; the link's path is what identifies it.
    const page = await fetch(`${running.apiUrl}${new URL(link).pathname}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("llm-pretrain");
  });
});
