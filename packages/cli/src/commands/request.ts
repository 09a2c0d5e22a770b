import type { Command } from "../command";
import { UsageError } from "../errors";
import { shortDate, table } from "../format";
import { approveRequest, cancelRequest, createRequest, getRequest, listRequests, type CapacityRequestView } from "../planning-client";
import { amountFlag, dateFlag } from "../flag-values";
import { SEARCH_OPTIONS, searchFromFlags } from "./offerings";

function requestLine(r: CapacityRequestView): string[] {
  const w = r.wanted;
  return [
    r.id,
    r.name ?? "-",
    r.status,
    `${w.instanceCount} × ${w.instanceType}`,
    `${w.durationHours / 24}d`,
    w.regions.join(","),
    r.purchase ? `${r.purchase.upfrontFee} ${r.purchase.currency}` : r.quote ? `quote ${r.quote.upfrontFee} ${r.quote.currencyCode}` : "-",
  ];
}

function details(r: CapacityRequestView): string {
  const w = r.wanted;
  const l = r.limits;
  const lines = [
    `Request ${r.id}${r.name ? ` (${r.name})` : ""}: ${r.status}`,
    `  ${r.statusReason ?? ""}`,
    `  wants      ${w.instanceCount} × ${w.instanceType} for ${w.durationHours / 24} day(s), starting ${shortDate(w.earliestStart)} – ${shortDate(w.latestStart)} in ${w.regions.join(", ")}${w.availabilityZones ? ` (${w.availabilityZones.join(", ")})` : ""}`,
    `  limits     ${[l.maxUpfrontFee && `fee ≤ ${l.maxUpfrontFee} ${l.currency}`, l.maxPricePerInstanceHour && `≤ ${l.maxPricePerInstanceHour} ${l.currency}/instance-hour`, l.budget && `budget ${l.budget} ${l.currency}`].filter(Boolean).join(", ")}`,
    `  approval   ${r.requireApproval ? "required" : "not required"}${r.approval ? ` · approved by ${r.approval.by}` : ""}`,
  ];
  if (r.quote)
    lines.push(
      `  quote      ${r.quote.upfrontFee} ${r.quote.currencyCode} · ${r.quote.availabilityZone} · ${shortDate(r.quote.startDate)} → ${shortDate(r.quote.endDate)}`,
    );
  if (r.purchase)
    lines.push(
      `  bought     ${r.purchase.capacityReservationId} for ${r.purchase.upfrontFee} ${r.purchase.currency} (${r.purchase.state})${r.registeredPk ? ` · managed as ${r.registeredPk}` : ""}`,
    );
  return lines.join("\n");
}

export const requestAddCommand: Command = {
  name: "request add",
  summary: "Open a capacity request: CBM searches every minute and buys (or asks approval for) the cheapest fit",
  usage:
    "cbm request add --type TYPE --days N --latest-start DATE (--max-fee X | --max-rate X | --budget X) [--count N] [--regions r1,r2] [--zones z1,z2] [--from DATE] [--no-approval] [--name N] [--pk PK] [--extend-by-days N] [--json]",
  help:
    "Nothing is bought above --max-fee (total), --max-rate (per instance-hour) or --budget (the block and its extensions).\n" +
    "With approval (the default), CBM notifies the exact terms it found; approve them with `cbm request approve ID`.",
  options: {
    ...SEARCH_OPTIONS,
    "latest-start": { type: "string" },
    zones: { type: "string" },
    "max-fee": { type: "string" },
    "max-rate": { type: "string" },
    budget: { type: "string" },
    currency: { type: "string" },
    approval: { type: "boolean" },
    name: { type: "string" },
    pk: { type: "string" },
    "extend-by-days": { type: "string" },
  },
  args: [],
  async run(ctx) {
    const v = ctx.values;
    const search = searchFromFlags(v);
    const latestStart = dateFlag(v, "latest-start");
    if (!latestStart) throw new UsageError("--latest-start is required: the latest time the block may start");
    const maxFee = amountFlag(v, "max-fee");
    const maxRate = amountFlag(v, "max-rate");
    const budget = amountFlag(v, "budget");
    const extendBy = v["extend-by-days"] as string | undefined;
    const body = {
      ...(v.name ? { name: v.name } : {}),
      instanceType: search.instanceType,
      instanceCount: search.instanceCount ?? 1,
      ...(search.durationDays !== undefined ? { durationDays: search.durationDays } : { durationHours: search.durationHours }),
      ...(search.earliestStart ? { earliestStart: search.earliestStart } : {}),
      latestStart,
      ...(search.regions ? { regions: search.regions } : {}),
      ...(v.zones ? { availabilityZones: (v.zones as string).split(",").map((z) => z.trim()) } : {}),
      ...(search.allAvailabilityZones ? { allAvailabilityZones: true } : {}),
      ...(maxFee ? { maxUpfrontFee: maxFee } : {}),
      ...(maxRate ? { maxPricePerInstanceHour: maxRate } : {}),
      ...(budget ? { budget } : {}),
      ...(v.currency ? { currency: v.currency } : {}),
      requireApproval: v.approval !== false,
      ...(v.pk ? { blockPk: v.pk } : {}),
      ...(extendBy ? { policy: { extendByDays: Number(extendBy) } } : {}),
    };
    const r = await createRequest(await ctx.client(), body);
    ctx.out(
      ctx.json ? JSON.stringify(r, null, 2) : `Opened request ${r.id}; the next scheduler run searches for offerings.\n${details(r)}`,
    );
    return 0;
  },
};

export const requestListCommand: Command = {
  name: "request list",
  summary: "List capacity requests",
  usage: "cbm request list [--json]",
  options: {},
  args: [],
  async run(ctx) {
    const list = await listRequests(await ctx.client());
    if (ctx.json) ctx.out(JSON.stringify(list, null, 2));
    else
      ctx.out(
        list.length
          ? table(["ID", "NAME", "STATUS", "WHAT", "FOR", "REGIONS", "FEE"], list.map(requestLine))
          : "No capacity requests. Open one with `cbm request add`.",
      );
    return 0;
  },
};

export const requestGetCommand: Command = {
  name: "request get",
  summary: "Show one capacity request: status, quote, approval and what was bought",
  usage: "cbm request get <ID or name> [--json]",
  options: {},
  args: ["ID"],
  async run(ctx) {
    const r = await getRequest(await ctx.client(), ctx.positionals[0]!);
    ctx.out(ctx.json ? JSON.stringify(r, null, 2) : details(r));
    return 0;
  },
};

export const requestApproveCommand: Command = {
  name: "request approve",
  summary: "Approve the exact terms CBM quoted for a capacity request",
  usage: "cbm request approve <ID or name> [--comment TEXT] [--json]",
  options: { comment: { type: "string" } },
  args: ["ID"],
  async run(ctx) {
    const r = await approveRequest(await ctx.client(), ctx.positionals[0]!, ctx.values.comment as string | undefined);
    ctx.out(
      ctx.json
        ? JSON.stringify(r, null, 2)
        : `Approved: ${r.approvalCovers ?? ""}. CBM buys on its next run if the offering is still there.`,
    );
    return 0;
  },
};

export const requestCancelCommand: Command = {
  name: "request cancel",
  summary: "Cancel an open capacity request (refused once a purchase is in flight or done)",
  usage: "cbm request cancel <ID or name> [--json]",
  options: {},
  args: ["ID"],
  async run(ctx) {
    const r = await cancelRequest(await ctx.client(), ctx.positionals[0]!);
    ctx.out(ctx.json ? JSON.stringify(r, null, 2) : `Cancelled request ${r.id}.`);
    return 0;
  },
};

export const REQUEST_COMMANDS: Command[] = [
  requestAddCommand,
  requestListCommand,
  requestGetCommand,
  requestApproveCommand,
  requestCancelCommand,
];
