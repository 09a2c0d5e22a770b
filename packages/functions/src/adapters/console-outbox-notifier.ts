import type { Notification, Notifier } from "@cbm/core";

export interface OutboxNotifier extends Notifier {
  /** Everything sent so far, oldest first (the local API lists it). */
  list(): Notification[];
  clear(): void;
}

export interface ConsoleOutboxOptions {
  /** Local mode says true, so approval flows are visible instead of automatic. Default true. */
  canReachApprover?: boolean;
  /** Where the text goes; `console.log` by default, a no-op in tests. */
  print?: (text: string) => void;
  /** Oldest entries are dropped beyond this. Default 1000. */
  max?: number;
  /** Where the outbox is kept across restarts (local mode's --data-dir); in memory only without it. */
  persistence?: OutboxPersistence;
}

/** Keeps the outbox across restarts: what was sent before (and so the links in it) stays listed. */
export interface OutboxPersistence {
  /** Everything kept, oldest first. */
  load(): Notification[];
  /** Called after each send with the new notification and the whole outbox as it is now. */
  append(n: Notification, all: readonly Notification[]): void;
  clear(): void;
}

/** Local-mode notifier: prints each notification and keeps it in an outbox, in memory or persisted. */
export function createConsoleOutboxNotifier(opts: ConsoleOutboxOptions = {}): OutboxNotifier {
  const max = opts.max ?? 1000;
  const outbox: Notification[] = (opts.persistence?.load() ?? []).slice(-max);
  const print = opts.print ?? ((text: string) => console.log(text));
  return {
    canReachApprover: opts.canReachApprover ?? true,
    async send(n) {
      outbox.push(structuredClone(n));
      if (outbox.length > max) outbox.splice(0, outbox.length - max);
      opts.persistence?.append(n, outbox);
      print(`\n=== CBM notification [${n.kind}] ${n.subject}\n${n.body}\n`);
    },
    list: () => outbox.map((n) => structuredClone(n)),
    clear: () => {
      outbox.length = 0;
      opts.persistence?.clear();
    },
  };
}
