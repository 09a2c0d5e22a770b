import { type CapacityReservation, type EC2Client, paginateDescribeCapacityReservations } from "@aws-sdk/client-ec2";
import { CapacityReservationId, type UsageProbe, type UsageSample } from "@cbm/core";
import { createEc2ClientFactory, type Ec2CapacityProviderOptions } from "./ec2-capacity-provider";
import { isNotFound, mapDescribeError } from "./ec2-errors";

/** UsageProbe over DescribeCapacityReservations: total and available instances, up to 100 ids per call. */
export function createEc2UsageProbe(
  opts: Pick<Ec2CapacityProviderOptions, "clientFor" | "endpoint" | "credentials" | "requestTimeoutMs" | "describeMaxAttempts"> = {},
): UsageProbe {
  const factory = opts.clientFor ?? createEc2ClientFactory(opts);
  const clients = new Map<string, EC2Client>();
  const client = (region: string) => {
    let c = clients.get(region);
    if (!c) clients.set(region, (c = factory(region, "describe")));
    return c;
  };
  async function describe(region: string, ids: string[]): Promise<CapacityReservation[]> {
    const out: CapacityReservation[] = [];
    for await (const page of paginateDescribeCapacityReservations(
      { client: client(region), pageSize: 100 },
      { CapacityReservationIds: ids },
    )) {
      out.push(...(page.CapacityReservations ?? []));
    }
    return out;
  }
  return {
    async sample(region, ids) {
      const valid = [...new Set(ids)].filter((id) => CapacityReservationId.safeParse(id).success);
      const found: CapacityReservation[] = [];
      for (let i = 0; i < valid.length; i += 100) {
        const batch = valid.slice(i, i + 100);
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
        });
      }
      return map;
    },
  };
}
