import { MAX_PAGE_LIMIT, type Block, type BlockStore, type Clock } from "@cbm/core";

// What a person watching local mode sees change between ticks.

const shortIso = (iso: string | undefined | null) => (iso ? iso.slice(0, 16).replace("T", " ") + "Z" : "-");

async function listAll(store: BlockStore): Promise<Block[]> {
  const out: Block[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Prints what changed for a person watching: status moves, end dates EC2 moved, denials (CBM's idle skip). */
export function createChangeWatcher(store: BlockStore, clock: Clock, print: (s: string) => void) {
  let last = new Map<string, { status: string; endDate?: string; denial?: string }>();
  return async () => {
    const blocks = await listAll(store);
    const next = new Map(
      blocks.map((b) => [
        b.PK,
        { status: b.status, ...(b.endDate ? { endDate: b.endDate } : {}), ...(b.denial ? { denial: b.denial.by } : {}) },
      ]),
    );
    for (const b of blocks) {
      const before = last.get(b.PK);
      const changes: string[] = [];
      if (before?.status !== b.status) changes.push(before ? `${before.status} → ${b.status}` : b.status);
      if (before?.endDate && b.endDate && before.endDate !== b.endDate)
        changes.push(`end ${shortIso(before.endDate)} → ${shortIso(b.endDate)}`);
      // The idle skip leaves the status as it is; its denial is what a person watching should see.
      if (b.denial && before?.denial !== b.denial.by) changes.push(`extension denied by ${b.denial.by}: ${b.denial.comment ?? ""}`);
      if (changes.length)
        print(`[${shortIso(clock.now().toISOString())}] ${b.PK}: ${changes.join(", ")}${b.statusReason ? ` (${b.statusReason})` : ""}`);
    }
    last = next;
  };
}
