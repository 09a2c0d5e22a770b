import { byUrgency, outlook, type Block, type BlockUsageView, type HistoryEvent } from "@cbm/core";

/** "3d 4h", "5h 12m", "12m", "ended"; "-" when unknown. */
export function timeLeft(endDate: string | undefined, now: Date): string {
  if (!endDate) return "-";
  const ms = Date.parse(endDate) - now.getTime();
  if (Number.isNaN(ms)) return "-";
  if (ms <= 0) return "ended";
  const m = Math.floor(ms / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m % 60}m`;
  return `${m}m`;
}

/** "2025-06-30 11:30Z": minute precision is all a person needs in a table. */
export function shortDate(iso: string | undefined): string {
  if (!iso) return "-";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 16).replace("T", " ") + "Z";
}

/** A plain text table: columns padded to their widest cell, two spaces apart. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

export function blocksTable(blocks: Block[], now: Date): string {
  const rows = [...blocks]
    .sort(byUrgency(now))
    .map((b) => [b.PK, b.name ?? "-", b.status, b.region, shortDate(b.endDate), timeLeft(b.endDate, now)]);
  return table(["PK", "NAME", "STATUS", "REGION", "END (UTC)", "TIME LEFT"], rows);
}

function policyLines(b: Block): string[] {
  const p = b.policy;
  return [
    `extend by ${p.extendByDays} day(s), ${p.lookaheadHours} h before the end`,
    `approval ${p.requireApproval ? "required" : "not required"}${p.enabled ? "" : ", PAUSED"}`,
    // A currency on every amount, and words (not "none USD") where there is no amount.
    `max fee ${p.maxUpfrontFee ? `${p.maxUpfrontFee} ${p.currency}` : "no cap"}, budget ${p.budget ? `${p.budget} ${p.currency}` : "none"}, spent ${b.spent} ${p.currency}`,
    `extend until ${p.extendUntil ?? "-"}, max extensions ${p.maxExtensions ?? "-"} (bought ${b.extensionsPurchased})`,
    ...(p.skipExtensionWhenIdleHours ? [`skip the extension when idle ${p.skipExtensionWhenIdleHours} h`] : []),
  ];
}

export function blockDetails(b: Block & { usage?: BlockUsageView | null; outlook?: { text: string } }, now: Date): string {
  const kv: [string, string][] = [
    ["PK", b.PK],
    ["Name", b.name ?? "-"],
    ["Reservation", b.capacityReservationId],
    ["Region", b.region],
    ["Instances", [b.instanceCount, b.instanceType].filter((x) => x !== undefined).join(" × ") || "-"],
    ["Zone", b.availabilityZone ?? "-"],
    ["Status", b.status + (b.statusReason ? `: ${b.statusReason}` : "")],
    // The same sentence the console, the notices and the reminders show: one truth about what happens next. The
    // API's, computed on CBM's clock; an API without it (older deployments) gets it computed here.
    ["Next", b.outlook?.text ?? outlook(b, now).text],
    ["End", `${shortDate(b.endDate)} (${timeLeft(b.endDate, now)} left)`],
    ["Approved", b.approved ? `yes${b.approval ? ` by ${b.approval.by} at ${shortDate(b.approval.at)}` : ""}` : "no"],
  ];
  if (b.approvalRequest)
    kv.push([
      "Approval asked",
      `${shortDate(b.approvalRequest.firstSentAt)}, fee ${b.approvalRequest.upfrontFee ? `${b.approvalRequest.upfrontFee} ${b.approvalRequest.currencyCode ?? b.policy.currency}` : "not quoted yet"}`,
    ]);
  if (b.denial) kv.push(["Denied", `by ${b.denial.by} for window ${shortDate(b.denial.window)}`]);
  if (b.pendingExtension)
    kv.push([
      "Pending payment",
      `${b.pendingExtension.durationHours} h for ${b.pendingExtension.upfrontFee} ${b.pendingExtension.currencyCode}`,
    ]);
  if (b.lastError) kv.push(["Last error", `${b.lastError.code}: ${b.lastError.message}`]);
  if (b.nextCheckAt) kv.push(["Next check", shortDate(b.nextCheckAt)]);
  if (b.usage !== undefined) kv.push(...usageLines(b.usage));
  const policy = policyLines(b);
  kv.push(["Policy", policy[0] ?? ""], ...policy.slice(1).map((l): [string, string] => ["", l]));
  kv.push(["Version", String(b.version)]);
  const w = Math.max(...kv.map(([k]) => k.length));
  return kv.map(([k, v]) => `${k ? k + ":" : ""}`.padEnd(w + 2) + v).join("\n");
}

/** What `cbm get` shows of a block's sampled usage: use now, interconnect, idleness, the last 24 h. */
function usageLines(u: BlockUsageView | null): [string, string][] {
  if (!u) return [["Usage", "not sampled yet"]];
  const peak = Math.max(0, ...u.last24h.map((h) => h.maxRunning));
  return [
    ["Usage", `${u.running} of ${u.total} running (${u.state}) at ${shortDate(u.at)}`],
    ["Interconnect", u.interconnect ? `${u.interconnect.status} since ${shortDate(u.interconnect.since)}` : "-"],
    ["Idle", u.idleSince ? `since ${shortDate(u.idleSince)} (${u.idleHours} h)` : "no"],
    [
      "Last 24 h",
      `${u.last24hInstanceHours} instance-hours over ${u.last24h.length} sampled hour${u.last24h.length === 1 ? "" : "s"}, peak ${peak} running`,
    ],
  ];
}

export function historyTable(events: HistoryEvent[]): string {
  return table(
    ["WHEN (UTC)", "EVENT", "BY", "MESSAGE"],
    events.map((e) => [e.at.slice(0, 19).replace("T", " "), e.type, e.actor, e.message]),
  );
}
