import {
  type CapacityBlockStatus,
  type CapacityReservation,
  type EC2Client,
  paginateDescribeCapacityBlockStatus,
  paginateDescribeCapacityReservations,
} from "@aws-sdk/client-ec2";
import { CapacityReservationId, type UsageProbe, type UsageSample } from "@cbm/core";
import { EC2_USAGE_LIMITS, withCallBudget } from "./call-limits";
import { createEc2ClientFactory, type Ec2CapacityProviderOptions } from "./ec2-capacity-provider";
import { errorCode, isNotFound, mapDescribeError } from "./ec2-errors";

/** Ids per call: 100 reservations or blocks, and as many results per page (both calls allow up to 1000). */
const BATCH = 100;
const CAPACITY_BLOCK_ID = /^cb-[0-9a-f]{17}$/;

export interface Ec2UsageProbeOptions
  extends Pick<Ec2CapacityProviderOptions, "clientFor" | "endpoint" | "credentials" | "requestTimeoutMs" | "describeMaxAttempts"> {
  /** The whole of one call, retries included (clients built here only). Default EC2_USAGE_LIMITS.budgetMs. */
  callBudgetMs?: number;
}

/**
 * UsageProbe over DescribeCapacityReservations (total and available instances) and DescribeCapacityBlockStatus
 * (interconnect status), up to 100 ids per call, every call bounded by EC2_USAGE_LIMITS unless told otherwise.
 */
export function createEc2UsageProbe(opts: Ec2UsageProbeOptions = {}): UsageProbe {
  const factory =
    opts.clientFor ??
    ((region: string) =>
      withCallBudget(
        createEc2ClientFactory({
          ...opts,
          requestTimeoutMs: opts.requestTimeoutMs ?? EC2_USAGE_LIMITS.requestTimeoutMs,
          describeMaxAttempts: opts.describeMaxAttempts ?? EC2_USAGE_LIMITS.maxAttempts,
        })(region, "describe"),
        opts.callBudgetMs ?? EC2_USAGE_LIMITS.budgetMs,
      ));
  const clients = new Map<string, EC2Client>();
  const client = (region: string) => {
    let c = clients.get(region);
    if (!c) clients.set(region, (c = factory(region, "describe")));
    return c;
  };
  async function describe(region: string, ids: string[]): Promise<CapacityReservation[]> {
    const out: CapacityReservation[] = [];
    for await (const page of paginateDescribeCapacityReservations(
      { client: client(region), pageSize: BATCH },
      { CapacityReservationIds: ids },
    )) {
      out.push(...(page.CapacityReservations ?? []));
    }
    return out;
  }
  async function statuses(region: string, ids: string[]): Promise<CapacityBlockStatus[]> {
    const out: CapacityBlockStatus[] = [];
    for await (const page of paginateDescribeCapacityBlockStatus({ client: client(region), pageSize: BATCH }, { CapacityBlockIds: ids })) {
      out.push(...(page.CapacityBlockStatuses ?? []));
    }
    return out;
  }
  return {
    async sample(region, ids) {
      const valid = [...new Set(ids)].filter((id) => CapacityReservationId.safeParse(id).success);
      const found = await batched("DescribeCapacityReservations", valid, { names: /cr-[0-9a-f]{17}/g, notFound: isNotFound }, (batch) =>
        describe(region, batch),
      );
      const map = new Map<string, UsageSample>();
      for (const r of found) {
        if (!r.CapacityReservationId) continue;
        map.set(r.CapacityReservationId, {
          capacityReservationId: r.CapacityReservationId,
          state: r.State ?? "unknown",
          total: r.TotalInstanceCount ?? 0,
          available: r.AvailableInstanceCount ?? 0,
          ...(r.CapacityBlockId ? { capacityBlockId: r.CapacityBlockId } : {}),
        });
      }
      return map;
    },

    async interconnect(region, capacityBlockIds) {
      const valid = [...new Set(capacityBlockIds)].filter((id) => CAPACITY_BLOCK_ID.test(id));
      const found = await batched("DescribeCapacityBlockStatus", valid, { names: /cb-[0-9a-f]{17}/g, notFound: blockNotFound }, (batch) =>
        statuses(region, batch),
      );
      const map = new Map<string, string>();
      for (const s of found) if (s.CapacityBlockId && s.InterconnectStatus) map.set(s.CapacityBlockId, s.InterconnectStatus);
      return map;
    },
  };
}

/**
 * Runs `fetch` over `ids`, BATCH at a time. One unknown id fails its whole batch (`unknown.notFound`): the ids the
 * error names are dropped and the rest asked once more, or, when it names none, one by one; unknown ids are simply
 * absent (usage is best effort). Any other failure is mapped for `op`: throttling stays recognisable.
 */
async function batched<T>(
  op: string,
  ids: string[],
  unknown: { names: RegExp; notFound: (err: unknown) => boolean },
  fetch: (batch: string[]) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  const orNone = (batch: string[]) =>
    fetch(batch).catch((e: unknown) => (unknown.notFound(e) ? [] : Promise.reject(mapDescribeError(op, e))));
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    try {
      out.push(...(await fetch(batch)));
    } catch (err) {
      if (!unknown.notFound(err)) throw mapDescribeError(op, err);
      const named = new Set(String((err as Error).message).match(unknown.names) ?? []);
      const rest = batch.filter((id) => !named.has(id));
      if (named.size > 0) out.push(...(rest.length ? await orNone(rest) : []));
      else for (const id of batch) out.push(...(await orNone([id])));
    }
  }
  return out;
}

/** An unknown `cb-` id. The reference documents no code for it; the emulator answers `InvalidCapacityBlockId.NotFound`. */
function blockNotFound(err: unknown): boolean {
  return /^InvalidCapacityBlockId\.(NotFound|Malformed)$/.test(errorCode(err));
}
