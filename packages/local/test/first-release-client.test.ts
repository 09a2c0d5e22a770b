import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block } from "@cbm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { startLocal } from "../src/start-local";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/*
 * The first release's own API test script (test/test_api_operations.py, see shared/reference/first-release-behaviour.md)
 * replayed over HTTP against local mode, request for request: its snake_case fields, its `status`, its mock
 * reservation ids and Python isoformat() dates. Every step must answer 2xx, as the script requires.
 */

let local: LocalHandle;
let root: string;
const RUN = Date.now().toString(36);

interface Res<T> {
  status: number;
  body: T;
}

async function http<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  key: string | null = local.apiKey,
): Promise<Res<T>> {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
  if (key !== null) headers["x-api-key"] = key;
  const res = await fetch(`${local.apiUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** What Python's datetime.now(timezone.utc).isoformat() prints: microseconds and +00:00. */
function pythonIsoformat(ms: number): string {
  return (
    new Date(ms)
      .toISOString()
      .replace("Z", "")
      .replace(/\.(\d{3})$/, ".$1456") + "+00:00"
  );
}

/** The two records the script POSTs. */
function scriptRecords() {
  const end = pythonIsoformat(Date.now() + 3 * 86_400_000);
  return [
    {
      PK: `test-block-1-${RUN}`,
      name: "Test Block 1",
      capacity_block_id: "cr-test12345",
      status: "PENDING",
      end_time: end,
      extend_by_days: 1,
      extension_lookahead_days: 2,
      require_approval: false,
      instance_type: "p5.48xlarge",
    },
    {
      PK: `test-block-2-${RUN}`,
      name: "Test Block 2",
      capacity_block_id: "cr-test67890",
      status: "PENDING",
      end_time: end,
      extend_by_days: 1,
      extension_lookahead_days: 2,
      require_approval: true,
      approval: false,
      region: "us-east-1",
    },
  ];
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cbm-legacy-"));
  local = await startLocal({ port: 0, clockRate: 0, tickSeconds: 0, stateDir: join(root, ".cbm", "local"), print: () => undefined });
});

afterAll(async () => {
  await local?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("the first release's client flow against local mode", () => {
  it("runs the script's steps end to end, every one answering 2xx", async () => {
    const [one, two] = scriptRecords();
    const before = await http<Block[]>("GET", "/");
    expect(before.status).toBe(200);

    for (const record of [one!, two!]) {
      const created = await http<Block & { warnings: string[] }>("POST", "/", record);
      expect(created.status).toBe(201);
      expect(created.body.warnings.join(" ")).toMatch(/status "PENDING" is ignored/);
      expect(created.body.warnings.join(" ")).toMatch(/not in EC2's format/);
      expect((await http("GET", `/${record.PK}`)).status).toBe(200);
    }
    const second = (await http<Block>("GET", `/${two!.PK}`)).body;
    expect(second).toMatchObject({ approved: false, policy: { requireApproval: true, extendByDays: 1, lookaheadHours: 48 } });
    expect((await http<Block>("GET", `/${one!.PK}`)).body.region).toBe("us-east-1");

    for (const record of [one!, two!]) {
      const read = (await http<Block>("GET", `/${record.PK}`)).body;
      const put = await http<Block>("PUT", `/${record.PK}`, { ...read, name: `${read.name}-UPDATED` });
      expect(put.status).toBe(200);
      expect(put.body.name).toBe(`${record.name}-UPDATED`);
    }

    const partial = await http<Block>("PUT", `/${one!.PK}`, { extend_by_days: 2 });
    expect(partial.status).toBe(200);
    expect(partial.body.policy.extendByDays).toBe(2);

    const approved = await http<Block>("PATCH", `/${two!.PK}`);
    expect(approved.status).toBe(200);
    expect((await http<Block>("GET", `/${two!.PK}`)).body.approved).toBe(true);

    expect((await http<Block[]>("GET", "/")).body).toHaveLength(before.body.length + 2);
    for (const record of [one!, two!]) expect((await http("DELETE", `/${record.PK}`)).status).toBe(200);
    expect((await http<Block[]>("GET", "/")).body).toHaveLength(before.body.length);
    expect((await http("GET", `/${one!.PK}`)).status).toBe(404);
  });

  it("answers 403 to a missing or wrong key", async () => {
    expect((await http("GET", "/", undefined, null)).status).toBe(403);
    expect((await http("GET", "/", undefined, "wrong-key")).status).toBe(403);
  });

  it("answers 400 naming the field for an invalid record, storing nothing", async () => {
    const [one] = scriptRecords();
    const res = await http<{ code: string; issues: { field: string }[] }>("POST", "/", { ...one, PK: `bad-${RUN}`, extend_by_days: 15 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(res.body.issues.map((i) => i.field)).toEqual(["extend_by_days"]);
    expect((await http("GET", `/bad-${RUN}`)).status).toBe(404);
  });

  it("reports a mock reservation id as not-found after a tick, never buying for it", async () => {
    const [, two] = scriptRecords();
    const pk = `mock-${RUN}`;
    expect((await http("POST", "/", { ...two, PK: pk, require_approval: false })).status).toBe(201);

    await local.tick();

    expect((await http<Block>("GET", `/${pk}`)).body.status).toBe("not-found");
    expect(local.emulator!.control.ledger().filter((e) => e.capacityReservationId === "cr-test67890")).toHaveLength(0);
  });
});
