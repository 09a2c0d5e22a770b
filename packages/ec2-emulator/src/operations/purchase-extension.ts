import { checkDryRun, type Operation } from "../context";
import { extensionPayment } from "../lifecycle";
import type { Extension } from "../model";
import { RESOURCE_ID } from "../random";
import { iso } from "../time";
import { extensionView, extensionXml } from "../views";
import { checkExtendable, findReservation } from "./common";

/**
 * Buys an extension: the money is committed now (ledger), the status is payment-pending, and the EndDate moves
 * only when the payment succeeds later. There is no idempotency token, exactly as in EC2.
 */
export const purchaseExtension: Operation = (ctx, world) => {
  const { params } = ctx;
  const offeringId = params.string("CapacityBlockExtensionOfferingId", { required: true });
  const id = params.string("CapacityReservationId", { required: true });
  if (!RESOURCE_ID.cbe.test(offeringId)) {
    throw world.codes.error("offering-malformed", `Invalid id: '${offeringId}' (expecting 'cbe-' followed by 17 hexadecimal characters)`);
  }
  const r = findReservation(ctx, world, id);
  // Ownership first: a consumer of a shared block learns it may not extend, not that an offering is unknown.
  if (r.ownerId !== ctx.accountId) checkExtendable(ctx, world, r);
  const offering = world.store.extensionOfferings.get(offeringId);
  if (!offering || offering.accountId !== ctx.accountId || offering.region !== ctx.region) {
    throw world.codes.error(
      "offering-not-found",
      `The Capacity Block extension offering '${offeringId}' cannot be found for this account.`,
    );
  }
  if (offering.reservationId !== r.id) {
    throw world.codes.error(
      "offering-other-reservation",
      `The Capacity Block extension offering '${offeringId}' is not for capacity reservation '${r.id}'.`,
    );
  }
  const currentEnd = checkExtendable(ctx, world, r);
  if (offering.purchased || offering.extensionStartMs !== currentEnd) {
    throw world.codes.error(
      "offering-stale",
      `The Capacity Block extension offering '${offeringId}' has expired: it starts at ${iso(offering.extensionStartMs)} but the reservation now ends at ${iso(currentEnd)}.`,
    );
  }
  checkDryRun(ctx);

  const ext: Extension = {
    reservationId: r.id,
    region: ctx.region,
    accountId: ctx.accountId,
    offeringId,
    durationHours: offering.durationHours,
    purchaseMs: ctx.nowMs,
    startMs: offering.extensionStartMs,
    endMs: offering.extensionEndMs,
    upfrontFee: offering.upfrontFee,
    currencyCode: "USD",
    payment: extensionPayment(ctx.nowMs, currentEnd, ctx.takeFault("payment-failure"), world.config),
    requestId: ctx.requestId,
  };
  offering.purchased = true;
  world.store.addExtension(r, ext);
  world.store.recordPurchase(ctx, {
    action: "PurchaseCapacityBlockExtension",
    capacityReservationId: r.id,
    offeringId,
    durationHours: ext.durationHours,
    upfrontFee: ext.upfrontFee,
    currencyCode: ext.currencyCode,
  });
  return { capacityBlockExtensionSet: [extensionXml(extensionView(ext, r, ctx.nowMs))] };
};
