import { createHash } from "node:crypto";
import {
  applyVerdict,
  byUrgency,
  approvalTerms,
  CbmError,
  describeTerms,
  NotFoundError,
  verdictWindow,
  type AuthorizationTerms,
  type Block,
  type BlockStore,
  type Clock,
  type HistoryEvent,
  type HistoryStore,
  type Ids,
  type RequestStore,
  type SpendReport,
} from "@cbm/core";
import { TermsChangedError } from "../../platform/errors";
import { drain } from "../../platform/pages";
import { retryOnConflict } from "../../platform/retry-on-conflict";
import type { BlockUseCases, BlockWithUsage } from "../../blocks";
import { buildSpendReport, type SpendReportDeps } from "../../reports";

export interface ConsoleDeps {
  store: BlockStore;
  history: HistoryStore;
  blocks: BlockUseCases;
  clock: Clock;
  ids: Ids;
  /** Capacity requests, for the blocks they bought (spend); without them the spend shows extensions only. */
  requests?: Pick<RequestStore, "list">;
  /** Usage samples, for used instance-hours in the spend. */
  usage?: SpendReportDeps["usage"];
}

/** Pages of 100 read for the console's list and spend; a deployment with more blocks sees the first 2,000. */
const MAX_PAGES = 20;

/** The terms an approval from the block page would record, and their digest, which the form sends back. */
export interface PendingTerms {
  terms: AuthorizationTerms;
  words: string;
  digest: string;
}

/** Expected refusals come back as a message for the page; anything else is thrown. */
export type ActionResult = { ok: true; block: Block } | { ok: false; message: string; status: number };

const EXPECTED: Record<string, number> = {
  TERMS_CHANGED: 409,
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  PURCHASE_IN_FLIGHT: 409,
  INVALID_STATE: 409,
  // A deny with nothing asked: the page shows what is pending and when CBM asks next.
  NOTHING_ASKED: 409,
};

async function expected(run: () => Promise<Block>): Promise<ActionResult> {
  try {
    return { ok: true, block: await run() };
  } catch (err) {
    if (err instanceof CbmError && EXPECTED[err.code] !== undefined)
      return { ok: false, message: err.message, status: EXPECTED[err.code]! };
    throw err;
  }
}

function digestOf(terms: AuthorizationTerms): string {
  return createHash("sha256").update(JSON.stringify(terms)).digest("base64url").slice(0, 22);
}

/** What the console reads and does; every change goes through the same core rules as the JSON API. */
export function createConsoleUseCases(d: ConsoleDeps) {
  async function allBlocks(): Promise<Block[]> {
    return (await drain((page) => d.store.list(page), { limit: 100, maxPages: MAX_PAGES })).items;
  }

  /** The approval a person would give from the block page now, when CBM is asking for one. */
  function pendingTerms(block: Block): PendingTerms | undefined {
    if (block.status !== "awaiting-approval") return undefined;
    let window: string;
    try {
      window = verdictWindow(block);
    } catch {
      return undefined;
    }
    const terms = approvalTerms(block, window);
    return { terms, words: describeTerms(terms), digest: digestOf(terms) };
  }

  return {
    /** Most urgent first, the order `cbm list` uses: by the time to the next irreversible event. */
    async blocksByUrgency(): Promise<Block[]> {
      const now = d.clock.now();
      const blocks = await allBlocks();
      return blocks.sort(byUrgency(now));
    },

    async block(pk: string): Promise<{ block: BlockWithUsage; history: HistoryEvent[]; pending?: PendingTerms } | undefined> {
      const block = await d.blocks.show(pk).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
      if (!block) return undefined;
      const page = await d.history.list(pk, { limit: 50 });
      const pending = pendingTerms(block);
      return { block, history: page.items, ...(pending ? { pending } : {}) };
    },

    /** The spend report that GET /reports/spend and `cbm report` show: the same computation over the same records. */
    spend(): Promise<SpendReport & { truncated: boolean }> {
      return buildSpendReport({
        store: d.store,
        history: d.history,
        ...(d.requests ? { requests: d.requests } : {}),
        ...(d.usage ? { usage: d.usage } : {}),
        now: () => d.clock.now(),
      });
    },

    /**
     * Approves exactly the terms the page showed (their digest came back with the form): if the quote changed since,
     * nothing is recorded and the page shows the new terms.
     */
    approve(pk: string, actor: string, digest: string | undefined, comment?: string): Promise<ActionResult> {
      return expected(() =>
        retryOnConflict(async () => {
          const current = await d.store.get(pk);
          if (!current) throw new NotFoundError(pk);
          const pending = pendingTerms(current);
          if (!pending || pending.digest !== digest) throw new TermsChangedError(pk);
          const v = applyVerdict(current, "approved", { by: actor, terms: pending.terms, ...(comment ? { comment } : {}) }, d.clock.now());
          return d.store.update(v.block, current.version, [{ ...v.event, id: d.ids.next() }]);
        }),
      );
    },

    /**
     * Approves the coming window in advance, named explicitly (the block page offers it where a person may override
     * CBM's or someone's denial, e.g. an idle skip); covers the policy's terms as they are now.
     */
    approveAhead: (pk: string, actor: string, comment?: string) =>
      expected(async () => (await d.blocks.approve(pk, { actor, window: "next", ...(comment ? { comment } : {}) })).block),

    deny: (pk: string, actor: string, comment?: string) =>
      expected(async () => (await d.blocks.deny(pk, { actor, ...(comment ? { comment } : {}) })).block),

    /** Pause (CBM watches but neither asks nor buys) or resume, recorded in history like any policy edit. */
    setEnabled: (pk: string, actor: string, enabled: boolean) =>
      expected(async () => (await d.blocks.update(pk, { policy: { enabled } }, { actor })).block),
  };
}

export type ConsoleUseCases = ReturnType<typeof createConsoleUseCases>;
