import {
  type CapacityBlockOffering,
  type CapacityReservation,
  type EC2Client,
  PurchaseCapacityBlockCommand,
  paginateDescribeCapacityBlockOfferings,
  paginateDescribeCapacityReservations,
} from "@aws-sdk/client-ec2";
import { AmbiguousOutcomeError, type BlockMarket, type BlockOffering, INTENT_TAG_KEY, type Sleep } from "@cbm/core";
import {
  createEc2ClientFactory,
  type Ec2CapacityProviderOptions,
  type Ec2ClientPurpose,
  recordEc2Settings,
  toReservationView,
} from "./ec2-capacity-provider";
import { STAGE_TAG_KEY } from "../contracts/aws-actions";
import { errorCode, mapDescribeError, mapPurchaseError } from "./ec2-errors";

export interface Ec2BlockMarketOptions
  extends Pick<Ec2CapacityProviderOptions, "clientFor" | "endpoint" | "credentials" | "requestTimeoutMs" | "describeMaxAttempts"> {
  /**
   * Waits before each retry of a search refused with CapacityBlockDescribeLimitExceeded, which the SDK does not
   * retry (reference §1.12). The limit refills slowly, so a few short waits, then the region reports "throttled".
   */
  describeLimitBackoffMs?: readonly number[];
  sleep?: Sleep;
  /**
   * The stage every purchased reservation is tagged with (`cbm:stage`): the worker's role may buy only with that tag
   * (stacks/requests-job.ts), and the tick's may extend only reservations that carry it.
   */
  stage?: string;
}

const DEFAULT_BACKOFF_MS = [500, 1_500] as const;
const DESCRIBE_LIMIT = "CapacityBlockDescribeLimitExceeded";

/** BlockMarket over the EC2 API: purchases on a client with retries off, tagged with the intent id. */
export function createEc2BlockMarket(opts: Ec2BlockMarketOptions = {}): BlockMarket {
  const factory = opts.clientFor ?? createEc2ClientFactory(opts);
  const backoff = opts.describeLimitBackoffMs ?? DEFAULT_BACKOFF_MS;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const clients = new Map<string, EC2Client>();
  const client = (region: string, purpose: Ec2ClientPurpose): EC2Client => {
    const key = `${purpose}:${region}`;
    let c = clients.get(key);
    if (!c) clients.set(key, (c = factory(region, purpose)));
    return c;
  };

  async function searchOnce(region: string, search: Parameters<BlockMarket["offerings"]>[1]): Promise<BlockOffering[]> {
    const items: CapacityBlockOffering[] = [];
    const pages = paginateDescribeCapacityBlockOfferings(
      { client: client(region, "describe") },
      {
        InstanceType: search.instanceType,
        InstanceCount: search.instanceCount,
        CapacityDurationHours: search.durationHours,
        ...(search.earliestStart ? { StartDateRange: new Date(search.earliestStart) } : {}),
        ...(search.latestEnd ? { EndDateRange: new Date(search.latestEnd) } : {}),
        ...(search.allAvailabilityZones ? { AllAvailabilityZones: true } : {}),
      },
    );
    for await (const page of pages) items.push(...(page.CapacityBlockOfferings ?? []));
    return items.flatMap((o) => toBlockOffering(region, o) ?? []);
  }

  const market: BlockMarket = {
    async offerings(region, search) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await searchOnce(region, search);
        } catch (err) {
          if (errorCode(err) === DESCRIBE_LIMIT && attempt < backoff.length) {
            await sleep(backoff[attempt]!);
            continue;
          }
          // The describe limit maps to ThrottledError (ec2-errors.ts), so callers report the region as throttled.
          throw mapDescribeError("DescribeCapacityBlockOfferings", err);
        }
      }
    },

    async purchase(region, offeringId, { intentId, platform, tags = {} }) {
      let out;
      try {
        out = await client(region, "purchase").send(
          new PurchaseCapacityBlockCommand({
            CapacityBlockOfferingId: offeringId,
            InstancePlatform: platform as never,
            TagSpecifications: [
              {
                ResourceType: "capacity-reservation",
                Tags: [
                  { Key: INTENT_TAG_KEY, Value: intentId },
                  ...(opts.stage ? [{ Key: STAGE_TAG_KEY, Value: opts.stage }] : []),
                  ...Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
                ],
              },
            ],
          }),
          // Backstop for the handler's timeout: a hung purchase must end as "ambiguous" before the Lambda dies.
          { abortSignal: AbortSignal.timeout(timeoutMs + 1_000) },
        );
      } catch (err) {
        throw mapPurchaseError(err, "PurchaseCapacityBlock");
      }
      const view = out.CapacityReservation ? toReservationView(region, out.CapacityReservation) : undefined;
      // A 200 without a readable reservation most likely bought: only the tag can tell.
      if (!view) throw new AmbiguousOutcomeError("PurchaseCapacityBlock returned no readable reservation", "EmptyResponse");
      const capacityBlockId = out.CapacityBlocks?.[0]?.CapacityBlockId;
      return { reservation: view, ...(capacityBlockId ? { capacityBlockId } : {}) };
    },

    async findTagged(region, intentId) {
      const items: CapacityReservation[] = [];
      try {
        const pages = paginateDescribeCapacityReservations(
          { client: client(region, "describe") },
          {
            Filters: [{ Name: `tag:${INTENT_TAG_KEY}`, Values: [intentId] }],
          },
        );
        for await (const page of pages) items.push(...(page.CapacityReservations ?? []));
      } catch (err) {
        throw mapDescribeError("DescribeCapacityReservations", err);
      }
      return items.flatMap((r) => toReservationView(region, r) ?? []);
    },
  };
  return recordEc2Settings(market, opts);
}

/** SDK offering → core offering; one lacking an id, dates, fee or currency cannot be bought safely and is dropped. */
export function toBlockOffering(region: string, o: CapacityBlockOffering): BlockOffering | undefined {
  if (!o.CapacityBlockOfferingId || !o.UpfrontFee || !o.CurrencyCode || !o.StartDate || !o.EndDate || !o.AvailabilityZone) return undefined;
  if (!o.InstanceType || !o.InstanceCount || !o.CapacityBlockDurationHours) return undefined;
  if (!/^(0|[1-9]\d{0,15})(\.\d{1,6})?$/.test(o.UpfrontFee)) return undefined;
  return {
    offeringId: o.CapacityBlockOfferingId,
    region,
    availabilityZone: o.AvailabilityZone,
    instanceType: o.InstanceType,
    instanceCount: o.InstanceCount,
    startDate: o.StartDate.toISOString(),
    endDate: o.EndDate.toISOString(),
    durationHours: o.CapacityBlockDurationHours,
    durationMinutes: o.CapacityBlockDurationMinutes ?? 0,
    upfrontFee: o.UpfrontFee,
    currencyCode: o.CurrencyCode,
  };
}
