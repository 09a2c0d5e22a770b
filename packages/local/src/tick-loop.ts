/**
 * Runs `work` every `intervalMs` (measured from the end of the previous run, so runs never overlap), and on demand.
 * On-demand runs queue behind a running one instead of overlapping it. stop() lets a running tick finish.
 */
export interface TickLoop<R> {
  start(): void;
  /** Runs once now (after any running tick) and resolves with its result. */
  runNow(): Promise<R>;
  /** Stops scheduling, waits for a running tick to finish. */
  stop(): Promise<void>;
  readonly runs: number;
  readonly running: boolean;
}

export function createTickLoop<R>(
  work: () => Promise<R>,
  opts: { intervalMs: number; onError?: (e: unknown) => void; onResult?: (r: R) => void },
): TickLoop<R> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let started = false;
  let runs = 0;
  let running = false;
  let chain: Promise<unknown> = Promise.resolve();

  const runSerialized = (): Promise<R> => {
    const p = chain.then(async () => {
      running = true;
      try {
        const r = await work();
        runs++;
        opts.onResult?.(r);
        return r;
      } finally {
        running = false;
      }
    });
    chain = p.catch(() => undefined);
    return p;
  };

  const schedule = () => {
    if (stopped || opts.intervalMs <= 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      runSerialized()
        .catch((e: unknown) => opts.onError?.(e))
        .finally(schedule);
    }, opts.intervalMs);
  };

  return {
    start() {
      if (started || stopped) return;
      started = true;
      // First tick right away, so a new user sees something happen within seconds.
      runSerialized()
        .catch((e: unknown) => opts.onError?.(e))
        .finally(schedule);
    },
    runNow: runSerialized,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await chain;
    },
    get runs() {
      return runs;
    },
    get running() {
      return running;
    },
  };
}
