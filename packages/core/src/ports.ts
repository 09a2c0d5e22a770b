import type { Block } from "./block";
import type { ExtensionOffering, ExtensionRecord, ReservationView } from "./ec2-view";
import type { HistoryEvent } from "./history";
import type { ReservationLedger } from "./reservation-ledger";
import type { LinkUse } from "./approval-link";
import type { CapacityRequest } from "./capacity-request";
import type { Notification } from "./notification";
import type { Page } from "./page";

/**
 * Managed blocks. Every write is conditional on `expectedVersion` and throws VersionConflictError when someone
 * else wrote first; the stored version becomes expectedVersion + 1.
 */
export interface BlockStore {
  get(pk: string): Promise<Block | undefined>;
  list(opts: { limit: number; cursor?: string }): Promise<Page<Block>>;
  /** Blocks whose nextCheckAt ≤ `now`, read from the due index (never a table scan). */
  findDue(now: string, opts: { limit: number; cursor?: string }): Promise<Page<Block>>;
  /** Blocks whose endDate is in [`from`, `to`], read from an index by end date (never a table scan). */
  findEndingBetween(from: string, to: string, opts: { limit: number; cursor?: string }): Promise<Page<Block>>;
  /**
   * Throws AlreadyExistsError when the PK is taken. With `claim`, the reservation's ledger is claimed for this block
   * in the same transaction, conditional on the ledger revision the block's figures were taken from (absent: no
   * ledger yet); AlreadyManagedError when another block manages the reservation, VersionConflictError when the
   * ledger changed since it was read.
   */
  create(block: Block, events?: HistoryEvent[], claim?: { ledgerRev: number | undefined }): Promise<Block>;
  /**
   * Writes `next` (with version expectedVersion + 1) and `events` atomically, only over the same registration
   * (`next.registrationId`) at `expectedVersion`: a copy of a deleted registration never writes into a new one.
   */
  update(next: Block, expectedVersion: number, events?: HistoryEvent[]): Promise<Block>;
  /**
   * Throws NotFoundError / VersionConflictError; refuses while an intent exists (PurchaseInFlightError). With
   * `ledger`, the reservation's figures are handed to the ledger in the same transaction (conditional on its
   * previous revision, `ledger.rev - 1`).
   */
  delete(pk: string, expectedVersion: number, events?: HistoryEvent[], ledger?: ReservationLedger, registrationId?: string): Promise<void>;
  /** What earlier registrations of a reservation spent (see ReservationLedger); undefined when none did. */
  getLedger(capacityReservationId: string): Promise<ReservationLedger | undefined>;
}

/** Capacity requests; every write is conditional on `expectedVersion` (VersionConflictError otherwise). */
export interface RequestStore {
  get(id: string): Promise<CapacityRequest | undefined>;
  list(opts: { limit: number; cursor?: string }): Promise<Page<CapacityRequest>>;
  /** Requests whose nextCheckAt ≤ now, from their own sparse due partition (never a scan, never a block). */
  findDue(now: string, opts: { limit: number }): Promise<CapacityRequest[]>;
  /** The request a name was last given to (it may have freed it since: see holdsItsName); one read, never a scan. */
  findByName(name: string): Promise<CapacityRequest | undefined>;
  /**
   * AlreadyExistsError when the id is taken; RequestNameTakenError when a request that holds its name has the name.
   * The name is claimed in the same atomic write as the request, so two creates of one name never both succeed.
   */
  create(request: CapacityRequest): Promise<CapacityRequest>;
  /** Writes `next` (version expectedVersion + 1) only over `expectedVersion`. */
  update(next: CapacityRequest, expectedVersion: number): Promise<CapacityRequest>;
}

export interface HistoryStore {
  append(events: HistoryEvent[]): Promise<void>;
  /** Newest first. */
  list(pk: string, opts: { limit: number; cursor?: string }): Promise<Page<HistoryEvent>>;
}

/** EC2 as CBM needs it; one instance serves every region. Errors are InfrastructureError subclasses. */
export interface CapacityProvider {
  /** Batched DescribeCapacityReservations; ids EC2 does not know are simply absent from the map. */
  describeReservations(region: string, ids: string[]): Promise<Map<string, ReservationView>>;
  /** Batched DescribeCapacityBlockExtensionHistory, grouped by reservation id. */
  extensionHistory(region: string, ids: string[]): Promise<Map<string, ExtensionRecord[]>>;
  extensionOfferings(region: string, capacityReservationId: string, durationHours: number): Promise<ExtensionOffering[]>;
  /**
   * PurchaseCapacityBlockExtension with SDK retries off. Resolves with the extension EC2 created. Throws
   * RejectedError when EC2 certainly did nothing, AmbiguousOutcomeError when it may have bought.
   */
  purchaseExtension(region: string, capacityReservationId: string, offeringId: string): Promise<ExtensionRecord>;
  /**
   * Tags the reservation `cbm:stage=<stage>` (CreateTags), so only this stage buys for it. Repeating it is harmless;
   * in AWS the role may tag only a reservation that has no stage tag yet, so a lost race fails here.
   */
  claimForStage(region: string, capacityReservationId: string, stage: string): Promise<void>;
}

export interface Notifier {
  /** Whether a human can be reached; without one, approval is automatic (original README behaviour). */
  readonly canReachApprover: boolean;
  send(n: Notification): Promise<void>;
}

/** The API key (Secrets Manager in AWS, a local file locally); implementations cache and pick up rotation. */
export interface SecretSource {
  apiKey(): Promise<string>;
}

/** The write an answer through a link makes, by the link's subject: a block's verdict or a capacity request's. */
export type LinkWrite =
  | { subject: "block"; next: Block; expectedVersion: number; events: HistoryEvent[] }
  | { subject: "request"; next: CapacityRequest; expectedVersion: number };

/**
 * Approval links: whether a link token was used, and the verdict written together with the record of its use, in
 * one transaction, so a token acts once however often it is submitted.
 */
export interface LinkUseStore {
  findUse(tokenId: string): Promise<LinkUse | undefined>;
  /**
   * As BlockStore.update or RequestStore.update (by the write's subject), plus a record of `use` that may not exist
   * yet. Throws LinkUsedError when the token was used meanwhile (and then writes nothing), VersionConflictError /
   * NotFoundError as update does.
   */
  updateUsingLink<W extends LinkWrite>(write: W, use: LinkUse): Promise<W["next"]>;
}

/** Expiry reminders sent, so each goes out once: `claim` is true only for the first caller of a key. */
export interface ReminderLog {
  claim(key: string, expiresAt: string): Promise<boolean>;
  /** Gives a claim back after the notice could not be sent, so a later sweep tries again. */
  release(key: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface Ids {
  /** Unique, lexicographically time-ordered id. */
  next(): string;
}
