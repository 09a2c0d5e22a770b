import type { BlockOffering, CallRecord, Extension, ExtensionOffering, LedgerEntry, Reservation } from "./model";
import { iso } from "./time";

/** Offerings are kept so purchases can validate them; old ones are dropped so a long-running server stays small. */
const MAX_REMEMBERED_OFFERINGS = 100_000;
const MAX_CALL_RECORDS = 200_000;

const scope = (region: string, accountId: string) => `${region}|${accountId}`;

/**
 * Everything the emulator knows. Reservations are indexed per region and account (owned and shared-in, in
 * creation order) so a Describe scans only what the caller can see, and offsets into that list make stable
 * page tokens: records are never removed from it except by reset (retention only hides them).
 */
export class Store {
  readonly reservations = new Map<string, Reservation>();
  readonly byCapacityBlock = new Map<string, Reservation[]>();
  private readonly visible = new Map<string, string[]>();
  private readonly extensionsByOwner = new Map<string, Extension[]>();
  readonly extensionOfferings = new Map<string, ExtensionOffering>();
  readonly blockOfferings = new Map<string, BlockOffering>();
  readonly ledger: LedgerEntry[] = [];
  calls: CallRecord[] = [];
  private callSeq = 0;

  /**
   * Appends a purchase to the ledger, numbered in order. The request it came from supplies when, where (region and
   * account) and which request id, so both purchase operations record them the same way.
   */
  recordPurchase(
    request: { nowMs: number; region: string; accountId: string; requestId: string },
    purchase: Pick<LedgerEntry, "action" | "capacityReservationId" | "offeringId" | "durationHours" | "upfrontFee" | "currencyCode">,
  ): void {
    this.ledger.push({
      seq: this.ledger.length + 1,
      at: iso(request.nowMs),
      ...purchase,
      region: request.region,
      accountId: request.accountId,
      requestId: request.requestId,
    });
  }

  addReservation(r: Reservation): void {
    this.reservations.set(r.id, r);
    pushTo(this.byCapacityBlock, r.capacityBlockId, r);
    pushTo(this.visible, scope(r.region, r.ownerId), r.id);
    for (const account of r.sharedWith) pushTo(this.visible, scope(r.region, account), r.id);
  }

  share(r: Reservation, accountId: string): void {
    if (accountId === r.ownerId || r.sharedWith.has(accountId)) return;
    r.sharedWith.add(accountId);
    pushTo(this.visible, scope(r.region, accountId), r.id);
  }

  /** Ids of the reservations `accountId` can see in `region`, oldest first. */
  visibleIds(region: string, accountId: string): readonly string[] {
    return this.visible.get(scope(region, accountId)) ?? [];
  }

  canSee(r: Reservation, region: string, accountId: string): boolean {
    return r.region === region && (r.ownerId === accountId || r.sharedWith.has(accountId));
  }

  addExtension(r: Reservation, ext: Extension): void {
    r.extensions.push(ext);
    pushTo(this.extensionsByOwner, scope(ext.region, ext.accountId), ext);
  }

  /** Extensions bought by `accountId` in `region`, oldest first. */
  extensionsOf(region: string, accountId: string): readonly Extension[] {
    return this.extensionsByOwner.get(scope(region, accountId)) ?? [];
  }

  allExtensions(): Extension[] {
    return [...this.extensionsByOwner.values()].flat().sort((a, b) => a.purchaseMs - b.purchaseMs);
  }

  rememberExtensionOffering(o: ExtensionOffering): void {
    remember(this.extensionOfferings, o.id, o);
  }

  rememberBlockOffering(o: BlockOffering): void {
    remember(this.blockOfferings, o.id, o);
  }

  recordCall(call: Omit<CallRecord, "seq">): void {
    if (this.calls.length >= MAX_CALL_RECORDS) this.calls.splice(0, this.calls.length - MAX_CALL_RECORDS + 1);
    this.calls.push({ seq: ++this.callSeq, ...call });
  }

  clear(): void {
    this.reservations.clear();
    this.byCapacityBlock.clear();
    this.visible.clear();
    this.extensionsByOwner.clear();
    this.extensionOfferings.clear();
    this.blockOfferings.clear();
    this.ledger.length = 0;
    this.calls = [];
    this.callSeq = 0;
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_REMEMBERED_OFFERINGS) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
