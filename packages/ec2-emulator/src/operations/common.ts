import type { RequestContext, World } from "../context";
import { Ec2Error, invalidValue } from "../errors";
import { isLadderHours } from "../ladder";
import { endMs, isRetained, pendingExtension, reservationState } from "../lifecycle";
import type { Reservation } from "../model";
import { RESOURCE_ID } from "../random";
import { iso } from "../time";

export function checkReservationId(id: string): string {
  if (!RESOURCE_ID.cr.test(id)) {
    throw new Ec2Error(
      "InvalidCapacityReservationId.Malformed",
      `Invalid id: '${id}' (expecting 'cr-' followed by 17 hexadecimal characters)`,
    );
  }
  return id;
}

export function notFound(id: string): Ec2Error {
  return new Ec2Error("InvalidCapacityReservationId.NotFound", `The capacity reservation ID '${id}' was not found`);
}

/** A reservation the caller can see in its region: owned, or shared into its account, and not past retention. */
export function findReservation(ctx: RequestContext, world: World, id: string): Reservation {
  const r = world.store.reservations.get(checkReservationId(id));
  if (!r || !world.store.canSee(r, ctx.region, ctx.accountId) || !isRetained(r, ctx.nowMs, world.config)) throw notFound(id);
  return r;
}

export function checkLadder(world: World, hours: number, parameter: string): void {
  if (!isLadderHours(hours)) {
    throw world.codes.error(
      "invalid-duration",
      `Value (${hours}) for parameter ${parameter} is invalid. The duration is not valid: use 24–336 hours in steps of 24, or 504–4368 hours in steps of 168.`,
    );
  }
}

/**
 * The rules for extending (reference §2.3): only the owner, only while active or scheduled, only one
 * payment-pending extension at a time, only between 56 days and 1 hour before the current end.
 * Returns the current end.
 */
export function checkExtendable(ctx: RequestContext, world: World, r: Reservation): number {
  if (r.ownerId !== ctx.accountId) {
    throw world.codes.error(
      "not-owner",
      `You are not authorized to extend capacity reservation '${r.id}': it is owned by account ${r.ownerId}.`,
    );
  }
  const state = reservationState(r, ctx.nowMs);
  if (state !== "active" && state !== "scheduled") {
    throw world.codes.error(
      "wrong-state",
      `The capacity reservation '${r.id}' is in state '${state}'; only active or scheduled Capacity Blocks can be extended.`,
    );
  }
  const pending = pendingExtension(r, ctx.nowMs);
  if (pending) {
    throw world.codes.error(
      "extension-pending",
      `The capacity reservation '${r.id}' already has an extension in payment-pending (${pending.offeringId}).`,
    );
  }
  const end = endMs(r, ctx.nowMs);
  if (ctx.nowMs < end - world.config.extensionWindowOpensMs || ctx.nowMs > end - world.config.extensionWindowClosesMs) {
    throw world.codes.error(
      "outside-window",
      `The capacity reservation '${r.id}' ends at ${iso(end)}; extensions can be purchased between 56 days and 1 hour before the end date.`,
    );
  }
  return end;
}

/** An account id from a request or spec must be 12 digits, as EC2's owner ids are. */
export function checkAccountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw invalidValue(`Invalid account id '${value}'`);
  return value;
}
