import {
  CapacityRequest,
  type Clock,
  type Ids,
  type Page,
  RequestLimits,
  RequestNotFoundError,
  RequestPurchaseInFlightError,
  RequestStateError,
  type RequestStore,
  RequestWanted,
  TERMINAL_REQUEST_STATUSES,
  parseOrThrow,
  ValidationError,
} from "@cbm/core";
import type { CreateRequestCommand } from "./create-request-command";
import { changeRequest, createApproveRequest } from "./approve-request";

export interface RequestUseCaseDeps {
  requests: RequestStore;
  clock: Clock;
  ids: Ids;
  /** Region searched when a request names none: where CBM runs. */
  defaultRegion: string;
}

/** What the planning API does with capacity requests. Buying happens only in the worker, never here. */
export function createRequestUseCases(deps: RequestUseCaseDeps) {
  async function load(id: string): Promise<CapacityRequest> {
    const r = await deps.requests.get(id);
    if (!r) throw new RequestNotFoundError(id);
    return r;
  }

  const change = (id: string, edit: (r: CapacityRequest) => CapacityRequest) =>
    changeRequest(deps.requests, id, edit, (next, v) => deps.requests.update(next, v));

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
        ...(body.successorOf ? { successorOf: body.successorOf } : {}),
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

    approve: createApproveRequest(deps),

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
