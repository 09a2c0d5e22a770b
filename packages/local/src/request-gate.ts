import type { IncomingMessage } from "node:http";

/**
 * What local mode checks before a request reaches a handler, where API Gateway and WAF check it in AWS: that it was
 * sent to one of local mode's own host names, and that one client does not try sign-in faster than a person could.
 */
export interface RequestGate {
  /** The Host header names local mode itself: `127.0.0.1`, `localhost` or `[::1]`, with its port. */
  ownHost(req: IncomingMessage): boolean;
  /** Counts an attempt of `client` on a throttled route; false once it is over the limit in the current window. */
  allow(method: string, path: string, client: string): boolean;
}

export interface RequestGateOptions {
  port: number;
  /** "METHOD /path" of the routes to throttle (sign-in). */
  throttled: readonly string[];
  /** Attempts per client per window; WAF's rate rule does this in AWS, per IP as well. */
  limit?: number;
  windowMs?: number;
  now?: () => number;
}

/** Sign-in attempts per client per minute: a person mistypes a few times, a script tries thousands. */
export const SIGN_IN_LIMIT = 10;

export function createRequestGate(opts: RequestGateOptions): RequestGate {
  // A page that rebinds its own DNS name to 127.0.0.1 still sends its own name as Host: refusing other names
  // keeps such a page from reading or posting to local mode (DNS rebinding).
  const hosts = new Set(["127.0.0.1", "localhost", "[::1]"].map((h) => `${h}:${opts.port}`));
  const limit = opts.limit ?? SIGN_IN_LIMIT;
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const throttled = new Set(opts.throttled);
  const windows = new Map<string, { start: number; count: number }>();
  return {
    ownHost: (req) => hosts.has((req.headers.host ?? "").toLowerCase()),
    allow(method, path, client) {
      if (!throttled.has(`${method} ${path}`)) return true;
      const t = now();
      // Old windows are dropped on the way, so the map holds only clients seen in the last window.
      for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k);
      const w = windows.get(client) ?? { start: t, count: 0 };
      w.count += 1;
      windows.set(client, w);
      return w.count <= limit;
    },
  };
}
