import type { BlockOffering, CallRecord, Extension, ExtensionOffering, LedgerEntry, Reservation } from "./model";
import { iso } from "./time";

/** Offerings are kept so purchases can validate them; old ones are dropped so a long-running server stays small. */
const MAX_REMEMBERED_OFFERINGS = 100_000;
const MAX_CALL_RECORDS = 200_000;

const scope = (region: string, accountId: string) => `${region}|${accountId}`;

/** A reservation as plain JSON data (a Set becomes an array). */
export interface StoredReservation extends Omit<Reservation, "sharedWith"> {
  sharedWith: string[];
}

/**
 * Everything the store holds except the call log, as plain data in the order it was built, so that restoring it
 * gives the same Describe order and page tokens. Extensions are listed once, inside their reservation; the per-account
 * index refers to them by position.
 */
export interface StoreState {
  reservations: StoredReservation[];
  visible: [string, string[]][];
  extensionsByOwner: [string, { reservationId: string; index: number }[]][];
  extensionOfferings: ExtensionOffering[];
  blockOfferings: BlockOffering[];
  ledger: LedgerEntry[];
}

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

  state(): StoreState {
    const position = (ext: Extension) => ({
      reservationId: ext.reservationId,
      index: this.reservations.get(ext.reservationId)!.extensions.indexOf(ext),
    });
    return {
      reservations: [...this.reservations.values()].map((r) => ({
        ...r,
        sharedWith: [...r.sharedWith],
        extensions: r.extensions.map((e) => ({ ...e })),
      })),
      visible: [...this.visible].map(([key, ids]) => [key, [...ids]]),
      extensionsByOwner: [...this.extensionsByOwner].map(([key, list]) => [key, list.map(position)]),
      extensionOfferings: [...this.extensionOfferings.values()].map((o) => ({ ...o })),
      blockOfferings: [...this.blockOfferings.values()].map((o) => ({ ...o })),
      ledger: this.ledger.map((e) => ({ ...e })),
    };
  }

  /** Replaces everything with a saved state (the call log starts empty). */
  restore(state: StoreState): void {
    this.clear();
    for (const saved of state.reservations) {
      const r: Reservation = { ...saved, sharedWith: new Set(saved.sharedWith), extensions: saved.extensions.map((e) => ({ ...e })) };
      this.reservations.set(r.id, r);
      pushTo(this.byCapacityBlock, r.capacityBlockId, r);
    }
    for (const [key, ids] of state.visible)
      this.visible.set(
        key,
        ids.filter((id) => this.reservations.has(id)),
      );
    for (const [key, refs] of state.extensionsByOwner) {
      const list = refs.map(({ reservationId, index }) => this.reservations.get(reservationId)?.extensions[index]);
      this.extensionsByOwner.set(
        key,
        list.filter((e): e is Extension => e !== undefined),
      );
    }
    for (const o of state.extensionOfferings) this.extensionOfferings.set(o.id, { ...o });
    for (const o of state.blockOfferings) this.blockOfferings.set(o.id, { ...o });
    this.ledger.push(...state.ledger.map((e) => ({ ...e })));
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
