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
      const found: CapacityReservation[] = [];
      for (let i = 0; i < valid.length; i += BATCH) {
        const batch = valid.slice(i, i + BATCH);
        try {
          found.push(...(await describe(region, batch)));
        } catch (err) {
          if (!isNotFound(err)) throw mapDescribeError("DescribeCapacityReservations", err);
          // One unknown id fails the whole batch: ask one by one, skipping the unknown ones (usage is best effort).
          for (const id of batch)
            found.push(
              ...(await describe(region, [id]).catch((e: unknown) =>
                isNotFound(e) ? [] : Promise.reject(mapDescribeError("DescribeCapacityReservations", e)),
              )),
            );
        }
      }
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
      const found: CapacityBlockStatus[] = [];
      for (let i = 0; i < valid.length; i += BATCH) {
        const batch = valid.slice(i, i + BATCH);
        try {
          found.push(...(await statuses(region, batch)));
        } catch (err) {
          if (!blockNotFound(err)) throw mapDescribeError("DescribeCapacityBlockStatus", err);
          // A block gone since DescribeCapacityReservations named it fails its batch: the ids EC2 names are dropped
          // and the rest asked once more (a batch costs at most two calls); without names the batch waits a pass.
          const named = new Set((err as Error).message.match(/cb-[0-9a-f]{17}/g) ?? []);
          const rest = batch.filter((id) => !named.has(id));
          if (named.size === 0 || rest.length === 0) continue;
          found.push(
            ...(await statuses(region, rest).catch((e: unknown) =>
              blockNotFound(e) ? [] : Promise.reject(mapDescribeError("DescribeCapacityBlockStatus", e)),
            )),
          );
        }
      }
      const map = new Map<string, string>();
      for (const s of found) if (s.CapacityBlockId && s.InterconnectStatus) map.set(s.CapacityBlockId, s.InterconnectStatus);
      return map;
    },
  };
}

/** An unknown `cb-` id. The reference documents no code for it; the emulator answers `InvalidCapacityBlockId.NotFound`. */
function blockNotFound(err: unknown): boolean {
  return /^InvalidCapacityBlockId\.(NotFound|Malformed)$/.test(errorCode(err));
}
