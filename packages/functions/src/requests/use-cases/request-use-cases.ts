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

/**
 * The request `ref` names: the one with that id, else the one the name was last given to (which holds it while open
 * or fulfilled; names are unique among those, and a new request takes a freed name over). Ids are tried first;
 * names shaped like ids are refused at creation, so a ref is never both. Two reads, never a scan.
 */
async function resolve(requests: RequestStore, ref: string): Promise<CapacityRequest> {
  const found = (await requests.get(ref)) ?? (await requests.findByName(ref));
  if (!found) throw new RequestNotFoundError(ref);
  return found;
}

/**
 * The request cancelled by `actor` (the record stays). Refused once a purchase is in flight or done: cancelling then
 * would orphan money. Shared by DELETE /requests/{id}, the console's Decline and the request link's Decline.
 */
export function cancelled(r: CapacityRequest, actor: string, at: string): CapacityRequest {
  if (r.intent || r.purchase) throw new RequestPurchaseInFlightError(r.id);
  if (TERMINAL_REQUEST_STATUSES.has(r.status)) throw new RequestStateError(`The request is already ${r.status}`);
  return {
    ...r,
    status: "cancelled",
    statusReason: `Cancelled by ${actor}`,
    quote: null,
    approval: null,
    updatedAt: at,
    nextCheckAt: null,
  };
}

/** What the planning API does with capacity requests. Buying happens only in the worker, never here. */
export function createRequestUseCases(deps: RequestUseCaseDeps) {
  const load = (ref: string) => resolve(deps.requests, ref);
  const approveById = createApproveRequest(deps);

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
        // One name for the request and the block it buys, unless the block's key is given.
        ...(body.blockPk || body.name ? { blockPk: body.blockPk ?? body.name } : {}),
        ...(body.policy ? { blockPolicy: body.policy } : {}),
        ...(body.tags ? { tags: body.tags } : {}),
        ...(body.successorOf ? { successorOf: body.successorOf } : {}),
        createdAt: now,
        updatedAt: now,
        createdBy: actor,
        nextCheckAt: now,
      });
      // The store refuses a name a live request holds (NAME_TAKEN), in the write that creates the request.
      return deps.requests.create(request);
    },

    get: load,

    list(opts: { limit: number; cursor?: string }): Promise<Page<CapacityRequest>> {
      return deps.requests.list(opts);
    },

    /** Approves the request `ref` (id or name) names; see createApproveRequest. */
    async approve(ref: string, opts: { actor: string; comment?: string }): Promise<{ request: CapacityRequest; covers: string }> {
      return approveById((await load(ref)).id, opts);
    },

    /** Cancels an open request; refused once a purchase is in flight or done (a bought block cannot be cancelled). */
    async cancel(ref: string, { actor }: { actor: string }): Promise<CapacityRequest> {
      const id = (await load(ref)).id;
      return change(id, (r) => cancelled(r, actor, deps.clock.now().toISOString()));
    },
  };
}

export type RequestUseCases = ReturnType<typeof createRequestUseCases>;
