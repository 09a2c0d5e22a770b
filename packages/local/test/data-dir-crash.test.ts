import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api, emulator, freeze, printed, startCbm, stopEverything, type Run, type Status } from "./support/launcher";
import { processGone, tempDir } from "./support/processes";

// Local mode killed mid-purchase, then started again on the same --data-dir: the lock, the clock, the purchase.
afterAll(stopEverything);

describe("--data-dir across a crash mid-purchase", () => {
  const D002 = "cr-0000000000000d002";
  let data: string;
  let state: string;
  let first: Run;
  let firstStatus: Status;
  let second: Run;
  let secondStatus: Status;
  const args = () => ["--port", "0", "--clock-rate", "0", "--tick-seconds", "0", "--data-dir", data];

  beforeAll(async () => {
    data = tempDir("cbm-data-");
    state = tempDir("cbm-data-state-");
    first = startCbm(args(), { CBM_LOCAL_DIR: state });
    await printed(first, "stops everything.");
    firstStatus = (await api<Status>(state, "GET", "/_local/status")).body;
  });

  it("a second start on the same --data-dir refuses, naming the PID that holds it", async () => {
    const other = startCbm(args(), { CBM_LOCAL_DIR: tempDir("cbm-data-other-") });
    expect(await other.exited).toBe(1);
    expect(other.output()).toContain(`--data-dir ${data} is in use by another CBM local mode, PID ${first.child.pid}`);
  });

  it("has the purchase on disk once the emulator took it, although the answer is still held when it is killed", async () => {
    // finetune-eval buys without approval on the first tick; the emulator takes the order, then holds the answer.
    await emulator(firstStatus.ec2Endpoint, "POST", "/faults", {
      action: "PurchaseCapacityBlockExtension",
      kind: "latency",
      ms: 600_000,
      effect: "after",
      match: { capacityReservationId: D002 },
    });
    void api(state, "POST", "/_local/tick").catch(() => undefined); // never answered: the process dies first
    const bought = () => emulator<{ capacityReservationId: string }[]>(firstStatus.ec2Endpoint, "GET", "/ledger");
    await vi.waitFor(async () => expect((await bought()).map((e) => e.capacityReservationId)).toContain(D002), {
      timeout: 60_000,
      interval: 100,
    });

    // The crash: java is frozen first so that it stays behind, as a java that missed its parent's end would.
    freeze(firstStatus.dynamodbPid);
    first.child.kill("SIGKILL");
    await first.exited;
    const saved = JSON.parse(readFileSync(join(data, "ec2-emulator.json"), "utf8")) as {
      store: { ledger: { capacityReservationId: string }[] };
    };
    expect(saved.store.ledger.filter((e) => e.capacityReservationId === D002)).toHaveLength(1);
    expect(processGone(firstStatus.dynamodbPid)).toBe(false);
  });

  it("the next start takes over the stale lock, stopping the DynamoDB Local left behind", async () => {
    second = startCbm(args(), { CBM_LOCAL_DIR: state });
    await printed(second, "stops everything.");
    secondStatus = (await api<Status>(state, "GET", "/_local/status")).body;
    const out = second.output();
    expect(out).toContain(`Took over ${data} from PID ${first.child.pid}`);
    expect(out).toContain(`Stopped a DynamoDB Local left over from an earlier run (PID ${firstStatus.dynamodbPid})`);
    expect(out).toContain("EC2 emulator restored from");
    expect(processGone(firstStatus.dynamodbPid)).toBe(true);
  });

  it("keeps the virtual clock: it never goes backwards across the restart", () => {
    expect(Date.parse(secondStatus.now)).toBeGreaterThanOrEqual(Date.parse(firstStatus.now));
  });

  it("settles the interrupted purchase as bought, from EC2's extension history, never buying a window twice", async () => {
    const ledger = () => emulator<{ capacityReservationId: string; offeringId: string }[]>(secondStatus.ec2Endpoint, "GET", "/ledger");
    const before = (await ledger()).filter((e) => e.capacityReservationId === D002);
    expect(before).toHaveLength(1);
    for (let i = 0; i < 4; i++) {
      await api(state, "POST", "/_local/tick");
      await emulator(secondStatus.ec2Endpoint, "POST", "/clock/advance", { minutes: 10 });
    }
    const history = (
      await api<{ type: string; data?: { outcome?: string; intentId?: string } }[]>(state, "GET", "/finetune-eval/history?limit=100")
    ).body;
    const settled = history.filter((e) => e.type === "intent-settled");
    expect(settled.map((e) => e.data?.outcome)).toContain("purchased");
    expect(settled.map((e) => e.data?.outcome)).not.toContain("not-purchased");
    const after = (await ledger()).filter((e) => e.capacityReservationId === D002);
    expect(after[0]).toEqual(before[0]);
    const extensions = await emulator<{ capacityBlockExtensionStartDate: string }[]>(
      secondStatus.ec2Endpoint,
      "GET",
      `/extensions?capacityReservationId=${D002}`,
    );
    const windows = extensions.map((x) => x.capacityBlockExtensionStartDate);
    expect(new Set(windows).size).toBe(windows.length);
    expect(after).toHaveLength(windows.length);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(existsSync(join(data, "cbm-local.lock"))).toBe(false);
  });
});
