import {
  type CapacityBlockExtension,
  type CapacityBlockExtensionOffering,
  type CapacityReservation,
  CreateTagsCommand,
  EC2Client,
  type EC2ClientConfig,
  PurchaseCapacityBlockExtensionCommand,
  paginateDescribeCapacityBlockExtensionHistory,
  paginateDescribeCapacityBlockExtensionOfferings,
  paginateDescribeCapacityReservations,
} from "@aws-sdk/client-ec2";
import {
  CapacityReservationId,
  AmbiguousOutcomeError,
  STAGE_TAG_KEY,
  type CapacityProvider,
  type ExtensionOffering,
  type ExtensionRecord,
  InfrastructureError,
  type ReservationState,
  type ReservationView,
} from "@cbm/core";
import { isNotFound, mapDescribeError, mapPurchaseError } from "./ec2-errors";

/** Which client a call uses: purchases get their own client with SDK retries off (reference §0.1). */
export type Ec2ClientPurpose = "describe" | "purchase";

export interface Ec2CapacityProviderOptions {
  /** Builds the client for a region and purpose; called once per (region, purpose), the result is cached. */
  clientFor?: (region: string, purpose: Ec2ClientPurpose) => EC2Client;
  /** EC2 endpoint override (the emulator locally); real AWS when absent. */
  endpoint?: string;
  credentials?: EC2ClientConfig["credentials"];
  /** Per-request timeout; a purchase that exceeds it is ambiguous, never retried. Default 10 s. */
  requestTimeoutMs?: number;
  /** SDK attempts for describe calls (they are safe to retry). Default 3. */
  describeMaxAttempts?: number;
  /** Ids per DescribeCapacityReservations / DescribeCapacityBlockExtensionHistory call, and MaxResults. ≤ 1000. */
  batchSize?: number;
}

/** Builds the EC2 clients the way the provider needs them: purchases never retried, every request timed out. */
export function createEc2ClientFactory(opts: Omit<Ec2CapacityProviderOptions, "clientFor" | "batchSize"> = {}) {
  const requestTimeout = opts.requestTimeoutMs ?? 10_000;
  return (region: string, purpose: Ec2ClientPurpose): EC2Client =>
    new EC2Client({
      region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      // The SDK retries 5xx and throttling by default, which for a purchase without idempotency token buys twice.
      maxAttempts: purpose === "purchase" ? 1 : (opts.describeMaxAttempts ?? 3),
      // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes.
      requestHandler: { requestTimeout, connectionTimeout: Math.min(requestTimeout, 5_000), throwOnRequestTimeout: true },
    });
}

/** How an EC2 adapter's calls are bounded: a purchase's settle wait is derived from `requestTimeoutMs`. */
export interface Ec2CallSettings {
  requestTimeoutMs: number;
  describeMaxAttempts: number;
  /** Always 1: EC2 purchases have no idempotency token, so an SDK retry could buy twice. */
  purchaseMaxAttempts: 1;
}

const ec2Built = new WeakMap<object, Ec2CallSettings>();

/**
 * Remembers how `adapter`'s clients are built (when the factory above builds them), so that a composition reports
 * what it built. Returns the same adapter.
 */
export function recordEc2Settings<A extends object>(adapter: A, opts: Omit<Ec2CapacityProviderOptions, "batchSize">): A {
  if (!opts.clientFor)
    ec2Built.set(adapter, {
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      describeMaxAttempts: opts.describeMaxAttempts ?? 3,
      purchaseMaxAttempts: 1,
    });
  return adapter;
}

/** The call settings `adapter` was built with; undefined when its clients came from a caller's `clientFor`. */
export function ec2SettingsOf(adapter: object): Ec2CallSettings | undefined {
  return ec2Built.get(adapter);
}

const MAX_BATCH = 1000;

/** CapacityProvider over the EC2 API; one instance serves every region, with clients created once per region. */
export function createEc2CapacityProvider(opts: Ec2CapacityProviderOptions = {}): CapacityProvider {
  const factory = opts.clientFor ?? createEc2ClientFactory(opts);
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? MAX_BATCH, MAX_BATCH));
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const clients = new Map<string, EC2Client>();
  const client = (region: string, purpose: Ec2ClientPurpose): EC2Client => {
    const key = `${purpose}:${region}`;
    let c = clients.get(key);
    if (!c) {
      c = factory(region, purpose);
      clients.set(key, c);
    }
    return c;
  };

  /**
   * Runs `fetch` over `ids` in batches. EC2 fails a whole batch with InvalidCapacityReservationId.NotFound when
   * any one id is unknown; then the ids named in the message are dropped, or else the batch is halved, so one
   * vanished block cannot hide the others.
   */
  async function byIds<T>(ids: string[], fetch: (batch: string[]) => Promise<T[]>): Promise<T[]> {
    // An id not in EC2's format (a first-release script's mock like cr-test12345) would fail its whole batch as
    // malformed; EC2 cannot know it, so it is never sent and simply reads as not found.
    const unique = [...new Set(ids)].filter((id) => CapacityReservationId.safeParse(id).success);
    const out: T[] = [];
    const run = async (batch: string[]): Promise<void> => {
      if (batch.length === 0) return;
      try {
        out.push(...(await fetch(batch)));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        if (batch.length === 1) return;
        const named = new Set(((err as Error).message ?? "").match(/cr-[0-9a-f]{17}/g) ?? []);
        const rest = batch.filter((id) => !named.has(id));
        if (rest.length < batch.length) return run(rest);
        const mid = Math.ceil(batch.length / 2);
        await run(batch.slice(0, mid));
        await run(batch.slice(mid));
      }
    };
    for (let i = 0; i < unique.length; i += batchSize) await run(unique.slice(i, i + batchSize));
    return out;
  }

  const provider: CapacityProvider = {
    async describeReservations(region, ids) {
      const found = await byIds(ids, (batch) =>
        collectPages(
          "DescribeCapacityReservations",
          () =>
            paginateDescribeCapacityReservations(
              { client: client(region, "describe"), pageSize: batchSize },
              { CapacityReservationIds: batch },
            ),
          (page) => page.CapacityReservations,
        ),
      );
      const map = new Map<string, ReservationView>();
      for (const r of found) {
        const view = toReservationView(region, r);
        if (view) map.set(view.capacityReservationId, view);
      }
      return map;
    },

    async extensionHistory(region, ids) {
      const found = await byIds(ids, (batch) =>
        collectPages(
          "DescribeCapacityBlockExtensionHistory",
          () =>
            paginateDescribeCapacityBlockExtensionHistory(
              { client: client(region, "describe"), pageSize: batchSize },
              { CapacityReservationIds: batch },
            ),
          (page) => page.CapacityBlockExtensions,
        ),
      );
      const map = new Map<string, ExtensionRecord[]>();
      for (const e of found) {
        const rec = toExtensionRecord(e);
        const list = map.get(rec.capacityReservationId) ?? [];
        list.push(rec);
        map.set(rec.capacityReservationId, list);
      }
      return map;
    },

    async extensionOfferings(region, capacityReservationId, durationHours) {
      const items: CapacityBlockExtensionOffering[] = [];
      try {
        const pages = paginateDescribeCapacityBlockExtensionOfferings(
          { client: client(region, "describe"), pageSize: batchSize },
          { CapacityReservationId: capacityReservationId, CapacityBlockExtensionDurationHours: durationHours },
        );
        for await (const page of pages) items.push(...(page.CapacityBlockExtensionOfferings ?? []));
      } catch (err) {
        throw mapDescribeError("DescribeCapacityBlockExtensionOfferings", err);
      }
      return items.flatMap((o) => toExtensionOffering(capacityReservationId, o) ?? []);
    },

    async claimForStage(region, capacityReservationId, stage) {
      try {
        // The describe client (retries on): tagging again with the same value changes nothing, so a retry is safe.
        await client(region, "describe").send(
          new CreateTagsCommand({ Resources: [capacityReservationId], Tags: [{ Key: STAGE_TAG_KEY, Value: stage }] }),
        );
      } catch (err) {
        throw mapDescribeError("CreateTags", err);
      }
    },

    async purchaseExtension(region, capacityReservationId, offeringId) {
      let out;
      try {
        out = await client(region, "purchase").send(
          new PurchaseCapacityBlockExtensionCommand({
            CapacityReservationId: capacityReservationId,
            CapacityBlockExtensionOfferingId: offeringId,
          }),
          // Backstop for the handler's timeout: a hung purchase must end as "ambiguous" before the Lambda dies.
          { abortSignal: AbortSignal.timeout(timeoutMs + 1_000) },
        );
      } catch (err) {
        throw mapPurchaseError(err);
      }
      const ext =
        out.CapacityBlockExtensions?.find((e) => e.CapacityBlockExtensionOfferingId === offeringId) ?? out.CapacityBlockExtensions?.[0];
      if (!ext) {
        // EC2 answered 200, so it most likely bought; only the history can tell.
        throw new AmbiguousOutcomeError("PurchaseCapacityBlockExtension returned no extension", "EmptyResponse");
      }
      try {
        return toExtensionRecord(ext, capacityReservationId);
      } catch (err) {
        throw new AmbiguousOutcomeError(
          `PurchaseCapacityBlockExtension returned an unreadable extension: ${(err as Error).message}`,
          "MalformedResponse",
          { cause: err },
        );
      }
    },
  };
  return recordEc2Settings(provider, opts);
}

/**
 * Drains one batch's paginator (opened inside the try, so a failure to build the client is mapped too). NotFound
 * passes through unmapped for `byIds` to split the batch on; anything else becomes `action`'s describe error.
 */
async function collectPages<Page, Item>(
  action: string,
  open: () => AsyncIterable<Page>,
  pick: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  try {
    for await (const page of open()) items.push(...(pick(page) ?? []));
  } catch (err) {
    if (isNotFound(err)) throw err;
    throw mapDescribeError(action, err);
  }
  return items;
}

const iso = (d: Date | undefined): string | undefined => (d ? d.toISOString() : undefined);

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) {
    throw new InfrastructureError(`EC2 response lacks ${what}`, "MalformedResponse");
  }
  return value;
}

/** SDK reservation → core view; `undefined` for reservations without an end date (not capacity blocks). */
export function toReservationView(region: string, r: CapacityReservation): ReservationView | undefined {
  if (!r.CapacityReservationId || !r.EndDate) return undefined;
  return {
    capacityReservationId: r.CapacityReservationId,
    ownerId: r.OwnerId ?? "",
    region,
    // Unknown enum values pass through as strings (reference §3.2); the engine treats them as not extendable.
    state: (r.State ?? "unavailable") as ReservationState,
    endDate: r.EndDate.toISOString(),
    ...(r.InstanceType !== undefined && { instanceType: r.InstanceType }),
    ...(r.TotalInstanceCount !== undefined && { instanceCount: r.TotalInstanceCount }),
    ...(r.AvailabilityZone !== undefined && { availabilityZone: r.AvailabilityZone }),
    ...(r.InstancePlatform !== undefined && { platform: r.InstancePlatform }),
    ...(r.Tenancy !== undefined && { tenancy: r.Tenancy }),
    ...(r.StartDate !== undefined && { startDate: r.StartDate.toISOString() }),
    ...(r.ReservationType !== undefined && { reservationType: r.ReservationType }),
    // The stage tag among them says which CBM stage may buy for it (stageClaim); no tags reads as untagged.
    ...(r.Tags !== undefined && { tags: Object.fromEntries(r.Tags.flatMap((t) => (t.Key !== undefined ? [[t.Key, t.Value ?? ""]] : []))) }),
  };
}

/** SDK extension → core record. Throws on missing fields: a half-read purchase must never look like "no purchase". */
export function toExtensionRecord(e: CapacityBlockExtension, fallbackReservationId?: string): ExtensionRecord {
  return {
    capacityReservationId: required(e.CapacityReservationId ?? fallbackReservationId, "CapacityReservationId"),
    offeringId: required(e.CapacityBlockExtensionOfferingId, "CapacityBlockExtensionOfferingId"),
    status: required(e.CapacityBlockExtensionStatus, "CapacityBlockExtensionStatus") as ExtensionRecord["status"],
    durationHours: required(e.CapacityBlockExtensionDurationHours, "CapacityBlockExtensionDurationHours"),
    purchaseDate: required(iso(e.CapacityBlockExtensionPurchaseDate), "CapacityBlockExtensionPurchaseDate"),
    startDate: required(iso(e.CapacityBlockExtensionStartDate), "CapacityBlockExtensionStartDate"),
    endDate: required(iso(e.CapacityBlockExtensionEndDate), "CapacityBlockExtensionEndDate"),
    upfrontFee: required(e.UpfrontFee, "UpfrontFee"),
    currencyCode: required(e.CurrencyCode, "CurrencyCode"),
  };
}

/** SDK offering → core offering; offerings lacking an id, dates, fee or currency cannot be bought safely and are dropped. */
export function toExtensionOffering(capacityReservationId: string, o: CapacityBlockExtensionOffering): ExtensionOffering | undefined {
  if (!o.CapacityBlockExtensionOfferingId || !o.UpfrontFee || !o.CurrencyCode || !o.CapacityBlockExtensionDurationHours) return undefined;
  if (!o.CapacityBlockExtensionStartDate || !o.CapacityBlockExtensionEndDate) return undefined;
  return {
    offeringId: o.CapacityBlockExtensionOfferingId,
    capacityReservationId,
    durationHours: o.CapacityBlockExtensionDurationHours,
    startDate: o.CapacityBlockExtensionStartDate.toISOString(),
    endDate: o.CapacityBlockExtensionEndDate.toISOString(),
    upfrontFee: o.UpfrontFee,
    currencyCode: o.CurrencyCode,
    ...(o.InstanceType !== undefined && { instanceType: o.InstanceType }),
    ...(o.InstanceCount !== undefined && { instanceCount: o.InstanceCount }),
  };
}
