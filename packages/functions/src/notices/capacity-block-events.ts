import { outlook, terminationStartsAt, timeLeftText, type Block, type Notification } from "@cbm/core";
import { escapeUnsafeText as safeText } from "@cbm/core";
import { CAPACITY_BLOCK_DETAIL_TYPES, CAPACITY_BLOCK_EVENT_SOURCE, type CapacityBlockEventKind } from "./detail-types";

/** The parts of an EventBridge event CBM reads; everything else is ignored. */
export interface CapacityBlockEvent {
  kind: CapacityBlockEventKind;
  capacityReservationId: string;
  endDate?: string;
  time?: string;
  region?: string;
}

/** Reads an EventBridge event; undefined for anything that is not a Capacity Block event CBM knows. */
export function parseCapacityBlockEvent(raw: unknown): CapacityBlockEvent | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const e = raw as { source?: unknown; "detail-type"?: unknown; detail?: Record<string, unknown>; time?: unknown; region?: unknown };
  if (e.source !== CAPACITY_BLOCK_EVENT_SOURCE || typeof e["detail-type"] !== "string") return undefined;
  const type = e["detail-type"].trim();
  const kind = (Object.keys(CAPACITY_BLOCK_DETAIL_TYPES) as CapacityBlockEventKind[]).find((k) =>
    (CAPACITY_BLOCK_DETAIL_TYPES[k] as readonly string[]).includes(type),
  );
  const id = e.detail?.["capacity-reservation-id"];
  if (!kind || typeof id !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(id)) return undefined;
  const end = e.detail?.["end-date"];
  return {
    kind,
    capacityReservationId: id,
    ...(typeof end === "string" && !Number.isNaN(Date.parse(end)) ? { endDate: new Date(end).toISOString() } : {}),
    ...(typeof e.time === "string" ? { time: e.time } : {}),
    ...(typeof e.region === "string" ? { region: e.region } : {}),
  };
}

/** The notice for one event, naming the managed block when CBM manages the reservation. */
export function capacityBlockNotice(ev: CapacityBlockEvent, block: Block | undefined, now: Date): Notification {
  const name = block ? `"${safeText(block.name ?? block.PK)}" (PK ${block.PK})` : `${ev.capacityReservationId} (not managed by CBM)`;
  const end = ev.endDate ?? block?.endDate ?? undefined;
  const lines =
    ev.kind === "delivered"
      ? [`AWS reports that capacity block ${name} was delivered: the reservation is active and instances can launch into it.`]
      : [
          `AWS warns that capacity block ${name} expires soon${end ? `, at ${end} (${timeLeftText(end, now)} left)` : ""}.`,
          end
            ? `EC2 starts terminating its instances at ${terminationStartsAt(end)}: checkpoint your jobs now.`
            : "Checkpoint your jobs now.",
          ...(block ? ["", `What CBM will do: ${outlook(block, now).text}`] : []),
        ];
  return {
    key: `${ev.capacityReservationId}#${ev.kind}#${end ?? ev.time ?? now.toISOString()}`,
    kind: "capacity-block-event",
    pk: block?.PK ?? ev.capacityReservationId,
    subject:
      ev.kind === "delivered"
        ? `CBM: AWS delivered capacity block ${block ? safeText(block.name ?? block.PK) : ev.capacityReservationId}`
        : `CBM: AWS warns ${block ? safeText(block.name ?? block.PK) : ev.capacityReservationId} expires${end ? ` in ${timeLeftText(end, now)}` : " soon"}`,
    body: [
      ...lines,
      "",
      `Reservation: ${ev.capacityReservationId}${ev.region ? ` in ${ev.region}` : ""}. Forwarded from AWS's EventBridge event.`,
    ].join("\n"),
    at: now.toISOString(),
  };
}
