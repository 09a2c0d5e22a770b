import {
  DescribeCapacityBlockExtensionHistoryCommand,
  DescribeCapacityBlockExtensionOfferingsCommand,
  DescribeCapacityBlockOfferingsCommand,
  PurchaseCapacityBlockCommand,
  PurchaseCapacityBlockExtensionCommand,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createEmulator, StateFileError, type EmulatorHandle, type EmulatorOptions } from "../src/index";
import { START, ec2, expectEc2Error, start } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "emulator-state-"));
const running: EmulatorHandle[] = [];
let n = 0;

afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newFile = () => join(dir, `world-${++n}.json`);

async function open(file: string, opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const h = await start({ stateFile: file, ...opts });
  running.push(h);
  return h;
}

/** Stops one emulator: what a process exit does to the in-memory world. */
async function close(h: EmulatorHandle): Promise<void> {
  running.splice(running.indexOf(h), 1);
  await h.stop();
}

async function extensionOffering(h: EmulatorHandle, id: string): Promise<string> {
  const out = await ec2(h).send(
    new DescribeCapacityBlockExtensionOfferingsCommand({ CapacityReservationId: id, CapacityBlockExtensionDurationHours: 24 }),
  );
  return out.CapacityBlockExtensionOfferings![0]!.CapacityBlockExtensionOfferingId!;
}

const buyExtension = (h: EmulatorHandle, id: string, offeringId: string) =>
  ec2(h, { maxAttempts: 1 }).send(
    new PurchaseCapacityBlockExtensionCommand({ CapacityReservationId: id, CapacityBlockExtensionOfferingId: offeringId }),
  );

describe("the state file (stateFile)", () => {
  it("brings back every block, extension, ledger entry, offering or rule a control call changed", async () => {
    const file = newFile();
    const a = await open(file);
    const id = a.control.seedBlock({ endDate: "2026-11-26T11:30:00Z", instanceCount: 2, tags: { Name: "kept" } }).capacityReservationId;
    a.control.shareBlock(id, "210987654321");
    a.control.setPrice({ instanceType: "p5.48xlarge", hourlyRate: "40" });
    a.control.setCapacity({ instanceType: "p4d.24xlarge", available: false });
    a.control.configure({ paymentDelaySeconds: 60, expiredRetentionHours: 48 });
    a.control.setErrorCode("not-owner", "AccessDenied");
    a.control.mapAccessKey("AKIDOTHER", "210987654321");
    const bought = await extensionOffering(a, id);
    // Its payment will fail, so the end date stays and only the remembered "bought" can refuse a second purchase.
    a.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "payment-failure" });
    await buyExtension(a, id, bought);
    const [blockOffering] = (
      await ec2(a).send(new DescribeCapacityBlockOfferingsCommand({ CapacityDurationHours: 24, InstanceType: "p5.48xlarge" }))
    ).CapacityBlockOfferings!;
    await ec2(a).send(
      new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: blockOffering!.CapacityBlockOfferingId, InstancePlatform: "Linux/UNIX" }),
    );
    const before = {
      reservations: a.control.reservations(),
      extensions: a.control.extensions(),
      ledger: a.control.ledger(),
      codes: a.control.errorCodes(),
    };
    await close(a);

    // Options that would shape a new world (demo seed, another clock) do not replace the saved one.
    const b = await open(file, { seed: "demo", clock: { start: "2030-01-01T00:00:00Z" } });
    expect(b.restored).toBe(true);
    expect({
      reservations: b.control.reservations(),
      extensions: b.control.extensions(),
      ledger: b.control.ledger(),
      codes: b.control.errorCodes(),
    }).toEqual(before);
    expect(b.control.configure({})).toEqual({ paymentDelaySeconds: 60, expiredRetentionHours: 48 });
    expect(b.control.now().toISOString()).toBe(START);
    const history = await ec2(b).send(new DescribeCapacityBlockExtensionHistoryCommand({ CapacityReservationIds: [id] }));
    expect(history.CapacityBlockExtensions?.map((x) => x.UpfrontFee)).toEqual(["1920.00"]); // 40 × 2 × 24, the saved price
    // The bought offering is remembered as bought, and the shared-in account and its access key still see the block.
    b.control.advance({ minutes: 2 });
    expect(b.control.extensions(id).map((x) => x.capacityBlockExtensionStatus)).toEqual(["payment-failed"]);
    await expectEc2Error(buyExtension(b, id, bought), "InvalidCapacityBlockOfferingIdExpired", 400);
    expect(b.control.reservations({ accountId: "210987654321" }).map((r) => r.capacityReservationId)).toContain(id);
    // A file written by rename: only the state itself is in the folder, complete JSON.
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ version: 1 });
  });

  it("saves a purchase before answering it, so a process that dies holding the answer has still bought", async () => {
    const file = newFile();
    const a = await open(file);
    const id = a.control.seedBlock({ endDate: "2026-11-26T11:30:00Z" }).capacityReservationId;
    const offeringId = await extensionOffering(a, id);
    a.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "latency", ms: 60_000, effect: "after" });
    const held = buyExtension(a, id, offeringId).catch((e: unknown) => e);
    // No event tells an outsider that the emulator committed; its ledger does, so poll it (bounded).
    await vi.waitFor(() => expect(a.control.ledger()).toHaveLength(1), { timeout: 20_000, interval: 50 });

    // Another process reading the file now, while the answer is still held, sees the purchase.
    const b = createEmulator({ stateFile: file });
    expect(b.restored).toBe(true);
    expect(b.control.ledger().map((e) => [e.capacityReservationId, e.offeringId])).toEqual([[id, offeringId]]);
    expect(b.control.extensions(id).map((x) => x.capacityBlockExtensionStatus)).toEqual(["payment-pending"]);
    // The fault that stood in for the crash is not part of the world: it does not fire again.
    expect(b.control.faults()).toEqual([]);
    await close(a);
    await held;
  });

  it("continues a frozen virtual clock where it was", async () => {
    const frozen = newFile();
    const a = await open(frozen);
    const advanced = a.control.advance({ days: 3 });
    await close(a);
    const b = await open(frozen, { clock: { start: START } });
    expect(b.control.now()).toEqual(advanced);
  });

  it("never sets a running virtual clock back across a restart", async () => {
    const running = newFile();
    const c = await open(running, { clock: { start: START, rate: 3600 } });
    const seen = c.control.now().getTime();
    await close(c);
    const d = await open(running, { clock: { start: START, rate: 3600 } });
    expect(d.control.now().getTime()).toBeGreaterThanOrEqual(seen);
    expect(d.control.clock()).toMatchObject({ mode: "virtual", rate: 3600 });
  });

  it("never hands out an id again after a restart", async () => {
    const file = newFile();
    const a = await open(file);
    const id = a.control.seedBlock({ endDate: "2026-11-26T11:30:00Z" }).capacityReservationId;
    const first = await extensionOffering(a, id);
    await close(a);
    const b = await open(file);
    const second = await extensionOffering(b, id);
    expect(second).not.toBe(first);
    await buyExtension(b, id, first); // both remain buyable: the first one was not overwritten
    expect(b.control.ledger().map((e) => e.offeringId)).toEqual([first]);
  });

  it("keeps the newest buyable offerings, not every search, so the file does not grow with each look", async () => {
    const file = newFile();
    const a = await open(file);
    const id = a.control.seedBlock({ endDate: "2026-11-26T11:30:00Z" }).capacityReservationId;
    const ids: string[] = [];
    for (let i = 0; i < 130; i++) ids.push(await extensionOffering(a, id));
    const saved = JSON.parse(readFileSync(file, "utf8")) as { store: { extensionOfferings: { id: string }[] } };
    expect(saved.store.extensionOfferings.map((o) => o.id)).toEqual(ids.slice(-100));
    await close(a);
    const b = await open(file);
    await buyExtension(b, id, ids.at(-1)!);
    expect(b.control.ledger()).toHaveLength(1);
  });

  it("refuses to start from a damaged file instead of starting an empty world", () => {
    const file = newFile();
    writeFileSync(file, '{"version":1,"clock":');
    expect(() => createEmulator({ stateFile: file })).toThrow(StateFileError);
    writeFileSync(file, '{"version":99}');
    expect(() => createEmulator({ stateFile: file })).toThrow(/version 1/);
  });

  it("answers InternalError, not success, when a purchase cannot be saved", async () => {
    const blocked = join(dir, `not-a-folder-${++n}`);
    const a = await open(join(blocked, "world.json"));
    const id = a.control.seedBlock({ endDate: "2026-11-26T11:30:00Z" }).capacityReservationId;
    const offeringId = await extensionOffering(a, id);
    rmSync(blocked, { recursive: true });
    writeFileSync(blocked, "a file where the state folder was");
    await expectEc2Error(buyExtension(a, id, offeringId), "InternalError", 500);
    rmSync(blocked);
  });
});
