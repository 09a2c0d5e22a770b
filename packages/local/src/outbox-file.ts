import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Notification } from "@cbm/core";
import type { OutboxPersistence } from "@cbm/functions";

/** The outbox's file in --data-dir: one notification per line (JSON Lines), oldest first. */
export const OUTBOX_FILE = "outbox.jsonl";

/**
 * The outbox kept in `<dataDir>/outbox.jsonl`, so a restart with the same --data-dir still lists what was sent, and
 * a pending approval's link with it (the README promises the data dir keeps the whole world). Each send appends one
 * line; the file is rewritten, through a temporary file and a rename, when it has grown to twice what is kept.
 * Without a data dir nothing is persisted, as before.
 */
export function outboxPersistence(dataDir: string | undefined, max = 1000): { persistence?: OutboxPersistence } {
  if (dataDir === undefined) return {};
  const path = join(dataDir, OUTBOX_FILE);
  let lines = 0;
  const rewrite = (all: readonly Notification[]) => {
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, all.map((n) => JSON.stringify(n) + "\n").join(""), { mode: 0o600 });
    renameSync(tmp, path);
    lines = all.length;
  };
  return {
    persistence: {
      load() {
        if (!existsSync(path)) return [];
        const kept: Notification[] = [];
        for (const line of readFileSync(path, "utf8").split("\n")) {
          // A line cut short by a crash mid-write is dropped; every complete line before it is kept.
          if (!line.trim()) continue;
          try {
            kept.push(JSON.parse(line) as Notification);
          } catch {
            continue;
          }
        }
        const last = kept.slice(-max);
        rewrite(last);
        return last;
      },
      append(n, all) {
        if (lines + 1 > 2 * max) return rewrite(all);
        appendFileSync(path, JSON.stringify(n) + "\n", { mode: 0o600 });
        lines++;
      },
      clear() {
        rmSync(path, { force: true });
        lines = 0;
      },
    },
  };
}
