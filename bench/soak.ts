import { readFileSync } from "node:fs";
import { startLocal } from "@cbm/local";
import { DAY, HOUR, MINUTE, flag, iso, memory, tempDir } from "./support/world";
import { fmt, median, percentile, printTable } from "./table";

/*
 * Soak: the local mode (startLocal: DynamoDB Local, the emulator, the API over HTTP, the tick) with N blocks and a
 * fast virtual clock through D simulated days, one tick per step. Most blocks need no approval; every 10th does,
 * and a scripted approver answers each approval notice over the API (approves, or denies every 50th block). Reports
 * extensions made, missed (an end passed without an extension CBM should have bought), duplicated (more than one
 * purchase per window in EC2's ledger), tick times, and memory at the start and the end.
 *
 *   tsx bench/soak.ts --soak-blocks 1000 --days 30 --step-min 30
 */

const START = "2025-06-01T00:05:00.000Z";

function javaRssMB(pid: number | undefined): string {
  if (!pid) return "-";
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? fmt(Number(m[1]) / 1024, 1) : "-";
  } catch {
    return "-";
  }
}

export async function benchSoak(opts = { blocks: flag("soak-blocks", 1000), days: flag("days", 30), stepMin: flag("step-min", 30) }) {
  const wallStart = performance.now();
  const local = await startLocal({
    port: 0,
    tickSeconds: 0,
    clockRate: 0,
    clockStart: START,
    seed: false,
    stateDir: tempDir("cbm-soak-"),
    print: () => undefined,
  });
  const control = local.emulator!.control;
  const headers = { "x-api-key": local.apiKey, "content-type": "application/json", "x-cbm-actor": "soak-approver" };
  try {
    const startMs = control.now().getTime();
    const needsApproval = (i: number) => i % 10 === 0;
    const denied = (i: number) => i % 50 === 0;
    const crOf = new Map<string, string>();
    for (let i = 0; i < opts.blocks; i++) {
      const region = i % 2 ? "us-west-2" : "us-east-1";
      const endDate = iso(Math.floor(startMs / DAY) * DAY + (1 + (i % 14)) * DAY + 11.5 * HOUR);
      const cr = control.seedBlock({ region, endDate, instanceCount: 1 + (i % 4) }).capacityReservationId;
      const PK = `soak-${i}`;
      crOf.set(PK, cr);
      const res = await fetch(`${local.apiUrl}/`, {
        method: "POST",
        headers,
        body: JSON.stringify({ PK, capacityReservationId: cr, region, policy: { requireApproval: needsApproval(i), extendByDays: 7 } }),
      });
      if (res.status >= 300) throw new Error(`POST / failed: ${res.status} ${await res.text()}`);
    }
    global.gc?.();
    const memStart = { ...memory(), java: javaRssMB(local.dynamo?.pid) };

    const tickMs: number[] = [];
    let approvals = 0;
    let denials = 0;
    let notesSeen = 0;
    const answered = new Set<string>();
    const steps = Math.round((opts.days * DAY) / (opts.stepMin * MINUTE));
    for (let s = 0; s < steps; s++) {
      control.advance(opts.stepMin * MINUTE);
      const t = performance.now();
      await local.tick();
      tickMs.push(performance.now() - t);
      // The scripted approver empties its inbox (the outbox keeps only the last 1,000) and answers each window once,
      // over the API.
      const notes = local.outbox.list();
      local.outbox.clear();
      notesSeen += notes.length;
      for (const n of notes) {
        if (!n.kind.startsWith("approval-")) continue;
        const i = Number(n.pk.slice("soak-".length));
        const key = `${n.pk}#${n.key.split("#")[1] ?? ""}`;
        if (answered.has(key)) continue;
        answered.add(key);
        const deny = denied(i);
        const res = await fetch(`${local.apiUrl}/${n.pk}${deny ? "/deny" : ""}`, { method: deny ? "POST" : "PATCH", headers });
        if (res.status !== 200) throw new Error(`${deny ? "deny" : "approve"} ${n.pk} failed: ${res.status} ${await res.text()}`);
        if (deny) denials++;
        else approvals++;
      }
      if (s % 240 === 0)
        process.stderr.write(
          `[soak] day ${fmt(((s + 1) * opts.stepMin * MINUTE) / DAY, 1)}: tick ${fmt(tickMs.at(-1)!, 0)} ms, ${control.ledger().length} extensions, ${memory().rssMB} MB RSS\n`,
        );
    }
    global.gc?.();
    const memEnd = { ...memory(), java: javaRssMB(local.dynamo?.pid) };

    // EC2's ledger: one purchase per (reservation, window) at most.
    const exts = new Map(control.extensions().map((e) => [e.capacityBlockExtensionOfferingId, e]));
    const perWindow = new Map<string, number>();
    let succeeded = 0;
    for (const l of control.ledger()) {
      const e = exts.get(l.offeringId)!;
      const k = `${l.capacityReservationId} ${e.capacityBlockExtensionStartDate}`;
      perWindow.set(k, (perWindow.get(k) ?? 0) + 1);
      if (e.capacityBlockExtensionStatus === "payment-succeeded") succeeded++;
    }
    const duplicated = [...perWindow.values()].filter((n) => n > 1).length;
    // Missed: the block's end passed without an extension, and nobody denied that window.
    const nowMs = control.now().getTime();
    let missed = 0;
    let endedAfterDenial = 0;
    for (let i = 0; i < opts.blocks; i++) {
      const r = control.reservation(crOf.get(`soak-${i}`)!)!;
      if (Date.parse(r.endDate) > nowMs) continue;
      if (denied(i) && needsApproval(i)) endedAfterDenial++;
      else missed++;
    }
    const rows = [
      {
        blocks: opts.blocks,
        "simulated days": opts.days,
        "ticks (step)": `${steps} (${opts.stepMin} min)`,
        "extensions bought": control.ledger().length,
        paid: succeeded,
        missed,
        duplicated,
        "ended after a denial (expected)": endedAfterDenial,
        notifications: notesSeen,
        "approvals / denials given": `${approvals} / ${denials}`,
        "tick p50 / p99 / max (ms)": `${fmt(median(tickMs), 0)} / ${fmt(percentile(tickMs, 99), 0)} / ${fmt(Math.max(...tickMs), 0)}`,
        "wall (s)": fmt((performance.now() - wallStart) / 1000, 0),
        ok: missed === 0 && duplicated === 0 ? "yes" : "NO",
      },
    ];
    printTable("Soak: local mode (startLocal), fast virtual clock", rows);
    printTable("Soak: memory (bench process = API + scheduler + emulator; DynamoDB Local is a separate Java process)", [
      {
        when: "start (after registering)",
        "RSS (MB)": memStart.rssMB,
        "heap used (MB)": memStart.heapMB,
        "DynamoDB Local RSS (MB)": memStart.java,
      },
      { when: "end", "RSS (MB)": memEnd.rssMB, "heap used (MB)": memEnd.heapMB, "DynamoDB Local RSS (MB)": memEnd.java },
    ]);
    return rows;
  } finally {
    await local.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSoak();
