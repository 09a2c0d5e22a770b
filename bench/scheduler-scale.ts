import { createRequire } from "node:module";
import { join } from "node:path";
import type { Block } from "@cbm/core";
import { blockToItem } from "@cbm/functions";
import { startDynamoLocal, type DynamoLocal } from "@cbm/local";
import { ACCOUNT, DAY, HOUR, MINUTE, flag, iso, startBenchWorld, type BenchWorld } from "./support/world";
import { fmt, printTable } from "./table";

/*
 * One scheduler tick over N managed blocks in two regions with 1% due, against DynamoDB Local and the EC2 emulator.
 * Half of the due blocks are inside their extension window (auto-approved: they buy), half are not yet (they only
 * move their next check). Measures wall time, DynamoDB consumed capacity and commands, EC2 calls by action, and
 * writes to blocks that were not due (must be zero).
 */

const START = "2025-06-01T12:00:00.000Z";
const REGIONS = ["us-east-1", "us-west-2"] as const;
const PAGE_SIZE = 250;

// lib-dynamodb is a dependency of @cbm/functions, not of the root: resolve it from there.
const fromFunctions = createRequire(join(import.meta.dirname, "../packages/functions/package.json"));
const { BatchWriteCommand } = (await import(fromFunctions.resolve("@aws-sdk/lib-dynamodb"))) as {
  BatchWriteCommand: new (input: { RequestItems: Record<string, unknown[]> }) => unknown;
};

const POLICY = { extendByDays: 7, lookaheadHours: 48, requireApproval: false, enabled: true, allowShorterFallback: false, currency: "USD" };

async function seed(w: BenchWorld, n: number): Promise<{ due: Set<string> }> {
  const now = w.clock.now().getTime();
  const nowIso = iso(now);
  const due = new Set<string>();
  const items: Record<string, unknown>[] = [];
  const dueEvery = 100; // 1%
  for (let i = 0; i < n; i++) {
    // Alternating so that the due blocks (every 100th) fall in both regions too.
    const region = REGIONS[(i + Math.floor(i / 100)) % REGIONS.length]!;
    const isDue = i % dueEvery === 0;
    // Due blocks alternate: end in 1 day (window open: buy) or in 10 days (window not open yet: reschedule only).
    const inWindow = isDue && (i / dueEvery) % 2 === 0;
    const endDay = isDue ? (inWindow ? 1 : 10) : 3 + (i % 20);
    const endDate = iso(Math.floor(now / DAY) * DAY + endDay * DAY + 11.5 * HOUR);
    const cr = w.emu.control.seedBlock({ region, endDate, instanceCount: 1 }).capacityReservationId;
    const block: Block = {
      PK: `scale-${i}`,
      capacityReservationId: cr,
      region,
      endDate,
      approved: false,
      createdAt: nowIso,
      updatedAt: nowIso,
      status: "waiting",
      version: 1,
      policy: POLICY,
      spent: "0",
      extensionsPurchased: 0,
      failures: 0,
      // Due: a minute ago. Not due: spread over the next 6 hours.
      nextCheckAt: isDue ? iso(now - MINUTE) : iso(now + MINUTE + (i % 360) * MINUTE),
    };
    if (isDue) due.add(block.PK);
    items.push(blockToItem(block) as Record<string, unknown>);
  }
  // BatchWrite in the store's own item format, 25 per request, a few requests in flight.
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        let req: Record<string, unknown[]> | undefined = {
          [w.tableName]: batches[next++]!.map((Item) => ({ PutRequest: { Item: { ...Item, PK: Item.PK } } })),
        };
        while (req && Object.keys(req).length) {
          const out = (await w.doc.send(new BatchWriteCommand({ RequestItems: req }) as never)) as {
            UnprocessedItems?: Record<string, unknown[]>;
          };
          req = out.UnprocessedItems;
        }
      }
    }),
  );
  return { due };
}

async function measure(dynamo: DynamoLocal, n: number) {
  const w = await startBenchWorld({ start: START, dynamo });
  try {
    const seedStart = performance.now();
    const { due } = await seed(w, n);
    const seedMs = performance.now() - seedStart;
    const tick = w.makeTick({ pageSize: PAGE_SIZE });
    w.counters.reset();
    w.emu.control.resetCalls();
    const t = performance.now();
    const report = await tick();
    const wallMs = performance.now() - t;
    const calls: Record<string, number> = {};
    for (const c of w.emu.control.calls()) calls[c.action] = (calls[c.action] ?? 0) + 1;
    const notDueWrites = w.counters.blockWrites.filter((pk) => !due.has(pk)).length;
    const describes = Object.entries(calls)
      .filter(([a]) => a.startsWith("Describe"))
      .reduce((s, [, v]) => s + v, 0);
    const pages = Math.max(1, Math.ceil(due.size / PAGE_SIZE));
    // Per page and region: DescribeCapacityReservations + DescribeCapacityBlockExtensionHistory; per due block at most one offerings search.
    const describeBound = REGIONS.length * pages * 2 + due.size;
    const result = {
      n,
      due: due.size,
      seedMs,
      wallMs,
      report,
      read: w.counters.read,
      write: w.counters.write,
      commands: { ...w.counters.commands },
      byLabel: { ...w.counters.byLabel },
      calls,
      notDueWrites,
      describes,
      describeBound,
      pages,
    };
    // A second tick right after: nothing is due any more (idle cost).
    w.counters.reset();
    w.emu.control.resetCalls();
    const t2 = performance.now();
    const idle = await tick();
    return {
      ...result,
      idle: {
        wallMs: performance.now() - t2,
        due: idle.due,
        read: w.counters.read,
        write: w.counters.write,
        ec2Calls: w.emu.control.calls().length,
      },
    };
  } finally {
    await w.stop();
  }
}

/** The tick's at-risk count: a read of the `ending` index (or, before it existed, of every block). */
const sweepRcu = (byLabel: Record<string, number>) => (byLabel["Query(ending)"] ?? 0) + (byLabel["Query(blocks)"] ?? 0);

export async function benchSchedulerScale(sizes = [1_000, flag("blocks", 10_000)]) {
  const dynamo = await startDynamoLocal();
  const rows: Record<string, string | number>[] = [];
  const detail: Record<string, string | number>[] = [];
  try {
    for (const n of sizes) {
      const r = await measure(dynamo, n);
      const big = n >= 10_000;
      rows.push({
        blocks: n,
        "due (1%)": r.due,
        "tick wall (ms)": fmt(r.wallMs, 0),
        target: big ? "< 5000 ms" : "-",
        processed: r.report.processed,
        purchases: r.report.purchases,
        "block writes": r.report.writes,
        "writes to not-due blocks": r.notDueWrites,
        "RCU due index": fmt(r.byLabel["Query(due)"] ?? 0, 1),
        "RCU at-risk sweep": fmt(sweepRcu(r.byLabel), 1),
        "RCU other / WCU": `${fmt(r.read - (r.byLabel["Query(due)"] ?? 0) - sweepRcu(r.byLabel), 1)} / ${fmt(r.write, 1)}`,
        "EC2 describes (bound)": `${r.describes} (≤ ${r.describeBound})`,
        ok: (!big || r.wallMs < 5000) && r.notDueWrites === 0 && r.describes <= r.describeBound ? "yes" : "NO",
      });
      detail.push({
        blocks: n,
        "seed (ms)": fmt(r.seedMs, 0),
        "DynamoDB commands": Object.entries(r.commands)
          .map(([k, v]) => `${k} ${v}`)
          .join(", "),
        "EC2 calls by action": Object.entries(r.calls)
          .map(([k, v]) => `${k} ${v}`)
          .join(", "),
        "idle tick after (ms)": fmt(r.idle.wallMs, 0),
        "idle: due / RCU / WCU / EC2 calls": `${r.idle.due} / ${fmt(r.idle.read, 1)} / ${fmt(r.idle.write, 1)} / ${r.idle.ec2Calls}`,
      });
    }
  } finally {
    await dynamo.stop();
  }
  printTable(
    `Scheduler tick at scale (DynamoDB Local + EC2 emulator, 2 regions, 1% due, page size ${PAGE_SIZE}, account ${ACCOUNT})`,
    rows,
  );
  printTable("Scheduler tick at scale: details", detail);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSchedulerScale();
