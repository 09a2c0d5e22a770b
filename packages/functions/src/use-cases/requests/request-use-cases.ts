import {
  CapacityRequest,
  type Clock,
  describeRequestTerms,
  type Ids,
  type Page,
  RequestLimits,
  RequestNotFoundError,
  RequestPurchaseInFlightError,
  RequestStateError,
  type RequestStore,
  RequestWanted,
  TERMINAL_REQUEST_STATUSES,
  termsForOffering,
  parseOrThrow,
  ValidationError,
  VersionConflictError,
} from "@cbm/core";
import type { CreateRequestCommand } from "./create-request-command";

export interface RequestUseCaseDeps {
  requests: RequestStore;
  clock: Clock;
  ids: Ids;
  /** Region searched when a request names none: where CBM runs. */
  defaultRegion: string;
}

/** A few fresh re-reads settle a race with the worker (it writes at most once per minute per request). */
const ATTEMPTS = 3;

/** What the planning API does with capacity requests. Buying happens only in the worker, never here. */
export function createRequestUseCases(deps: RequestUseCaseDeps) {
  async function load(id: string): Promise<CapacityRequest> {
    const r = await deps.requests.get(id);
    if (!r) throw new RequestNotFoundError(id);
    return r;
  }

  /** Reads, changes and writes with the version read; retried on a conflict with the worker. */
  async function change(id: string, edit: (r: CapacityRequest) => CapacityRequest): Promise<CapacityRequest> {
    for (let attempt = 1; ; attempt++) {
      const current = await load(id);
      try {
        return await deps.requests.update(edit(current), current.version);
      } catch (err) {
        if (!(err instanceof VersionConflictError) || attempt >= ATTEMPTS) throw err;
      }
    }
  }

  return {
    async create(body: CreateRequestCommand, { actor }: { actor: string }): Promise<CapacityRequest> {
      const now = deps.clock.now().toISOString();
      const wanted = parseOrThrow(RequestWanted, {
        instanceType: body.instanceType,
        instanceCount: body.instanceCount,
        durationHours: body.durationHours,
        earliestStart: body.earliestStart ?? now,
        latestStart: body.latestStart,
        regions: body.regions ?? [deps.defaultRegion],
        ...(body.availabilityZones ? { availabilityZones: body.availabilityZones } : {}),
        ...(body.allAvailabilityZones ? { allAvailabilityZones: true } : {}),
      });
      if (Date.parse(wanted.latestStart) < Date.parse(wanted.earliestStart)) {
        throw new ValidationError([{ field: "latestStart", message: "must not be before earliestStart", code: "invalid_range" }]);
      }
      const limits = parseOrThrow(RequestLimits, {
        ...(body.maxUpfrontFee !== undefined ? { maxUpfrontFee: body.maxUpfrontFee } : {}),
        ...(body.maxPricePerInstanceHour !== undefined ? { maxPricePerInstanceHour: body.maxPricePerInstanceHour } : {}),
        ...(body.budget !== undefined ? { budget: body.budget } : {}),
        ...(body.currency !== undefined ? { currency: body.currency } : {}),
      });
      const request = CapacityRequest.parse({
        id: deps.ids.next(),
        ...(body.name ? { name: body.name } : {}),
        version: 1,
        status: "searching",
        statusReason: "Opened; the next scheduler run searches for offerings",
        wanted,
        limits,
        requireApproval: body.requireApproval,
        platform: body.platform,
        ...(body.blockPk ? { blockPk: body.blockPk } : {}),
        ...(body.policy ? { blockPolicy: body.policy } : {}),
        ...(body.tags ? { tags: body.tags } : {}),
        createdAt: now,
        updatedAt: now,
        createdBy: actor,
        nextCheckAt: now,
      });
      return deps.requests.create(request);
    },

    get: load,

    list(opts: { limit: number; cursor?: string }): Promise<Page<CapacityRequest>> {
      return deps.requests.list(opts);
    },

    /**
     * Approves the exact terms of the offering last quoted: that zone, start, duration and count, at most that fee.
     * The worker buys on its next run if an offering with those terms is still there; any other needs a new approval.
     */
    async approve(
      id: string,
      { actor, comment }: { actor: string; comment?: string },
    ): Promise<{ request: CapacityRequest; covers: string }> {
      let covers = "";
      const request = await change(id, (r) => {
        if (TERMINAL_REQUEST_STATUSES.has(r.status) || r.intent || r.purchase)
          throw new RequestStateError(`The request is ${r.status}; there is nothing to approve`);
        if (!r.quote) throw new RequestStateError("No offering has been quoted yet; approve once the request is awaiting-approval");
        const terms = termsForOffering(r, r.quote);
        covers = describeRequestTerms(terms);
        const at = deps.clock.now().toISOString();
        return {
          ...r,
          approval: { by: actor, at, ...(comment ? { comment } : {}), terms },
          statusReason: `Approved by ${actor}: ${covers}`,
          updatedAt: at,
          nextCheckAt: at,
        };
      });
      return { request, covers };
    },

    /** Cancels an open request; refused once a purchase is in flight or done (a bought block cannot be cancelled). */
    cancel(id: string, { actor }: { actor: string }): Promise<CapacityRequest> {
      return change(id, (r) => {
        if (r.intent || r.purchase) throw new RequestPurchaseInFlightError(id);
        if (TERMINAL_REQUEST_STATUSES.has(r.status)) throw new RequestStateError(`The request is already ${r.status}`);
        const at = deps.clock.now().toISOString();
        return {
          ...r,
          status: "cancelled",
          statusReason: `Cancelled by ${actor}`,
          quote: null,
          approval: null,
          updatedAt: at,
          nextCheckAt: null,
        };
      });
    },
  };
}

export type RequestUseCases = ReturnType<typeof createRequestUseCases>;
