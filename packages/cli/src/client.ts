import { randomUUID } from "node:crypto";
import { MAX_PAGE_LIMIT, type Block, type BlockUsageView, type ExtensionPolicy, type HistoryEvent, type Notification } from "@cbm/core";

/** One field the API rejected, as its 400 body lists them. */
export interface CbmFieldIssue {
  field: string;
  message: string;
  code?: string;
}

/**
 * Any non-2xx answer of the CBM API (or a network failure, status 0). `code` is the API's stable machine code
 * (e.g. VALIDATION_FAILED, NOT_FOUND, VERSION_CONFLICT) when the body carried one.
 */
export class CbmApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: CbmFieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CbmApiError";
  }
}

/** Policy fields as a client may send them: every field optional, the API fills in the defaults. */
export type PolicyInput = Partial<ExtensionPolicy>;

/** On update, `null` clears an optional limit (max fee, budget, extend-until, max extensions). */
export type PolicyPatch = { [K in keyof ExtensionPolicy]?: ExtensionPolicy[K] | null };

/** What POST / accepts: EC2 fills in the reservation's facts, the API the rest. */
export interface CreateBlockInput {
  PK?: string;
  capacityReservationId: string;
  name?: string;
  region?: string;
  availabilityZone?: string;
  instanceType?: string;
  endDate?: string;
  policy?: PolicyInput;
}

/** What PUT /{PK} accepts: a partial update; PK cannot change. */
export interface UpdateBlockInput {
  name?: string | null;
  region?: string;
  policy?: PolicyPatch;
  [legacy: string]: unknown;
}

export interface ListOptions {
  /** Page size asked of the API; list() follows cursors until the end (or `max` items). */
  limit?: number;
  max?: number;
}

export interface HistoryOptions {
  limit?: number;
}

export interface CbmClient {
  readonly apiUrl: string;
  /** Every managed block, following the API's next-page cursor. */
  list(opts?: ListOptions): Promise<Block[]>;
  /** One page, for callers that paginate themselves. */
  listPage(opts?: { limit?: number; cursor?: string }): Promise<{ items: Block[]; cursor?: string }>;
  /** The block with its sampled usage (`usage`: null before the first sample; absent from an API without it). */
  /** The block, its sampled usage and `outlook` (what CBM will do next, in CBM's words on CBM's clock). */
  get(pk: string): Promise<Block & { usage?: BlockUsageView | null; outlook?: { kind: string; text: string } }>;
  create(input: CreateBlockInput): Promise<Block>;
  /** Partial update; with `version`, the API refuses (409) if someone else wrote the block since. */
  update(pk: string, patch: UpdateBlockInput, opts?: { version?: number }): Promise<Block>;
  /** PATCH /{PK}: approves the window a notice asked about, or the one named; `note` says which, in words. */
  approve(pk: string, opts?: VerdictOptions): Promise<VerdictResult>;
  /** POST /{PK}/deny: the same rule as approve. */
  deny(pk: string, opts?: VerdictOptions): Promise<VerdictResult>;
  delete(pk: string, opts?: { version?: number }): Promise<void>;
  /** Newest first, following cursors up to `limit` events. */
  history(pk: string, opts?: HistoryOptions): Promise<HistoryEvent[]>;
  openapi(): Promise<Record<string, unknown>>;
  /** Local mode only (`GET /_local/outbox`): the notifications sent so far, oldest first. */
  outbox(pk?: string): Promise<Notification[]>;
  /** Any other route (the planning routes use it, see planning-client.ts): the parsed JSON body, or CbmApiError. */
  request(
    method: string,
    path: string,
    init?: { body?: unknown; query?: Record<string, string | number | undefined>; headers?: Record<string, string> },
  ): Promise<unknown>;
}

export interface VerdictOptions {
  comment?: string;
  /** "next" or the window's end date: decide that window in advance. Left out: the window a notice asked about. */
  window?: string;
}

/** A verdict's answer: the block and the API's sentence about which window it decided (information, not a warning). */
export interface VerdictResult {
  block: Block;
  note?: string;
}

export interface CbmClientOptions {
  apiUrl: string;
  apiKey: string;
  /** Sent as `x-cbm-actor` so approvals and edits are recorded with who made them. */
  actor?: string;
  fetch?: typeof fetch;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Called with the API's `warnings` (valid input that is probably not what was meant), for stderr. */
  onWarnings?: (warnings: string[]) => void;
}

/** The API's next-page cursor (`x-next-cursor`, absent on the last page). */
function nextCursorFrom(headers: Headers): string | undefined {
  return headers.get("x-next-cursor") ?? undefined;
}

/** The list routes answer a JSON array (the original README's contract). */
function itemsOf<T>(body: unknown): T[] {
  return Array.isArray(body) ? (body as T[]) : [];
}

function issuesOf(body: Record<string, unknown>): CbmFieldIssue[] {
  const raw = body.issues ?? body.errors ?? body.fields;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((i): CbmFieldIssue[] => {
    if (!i || typeof i !== "object") return typeof i === "string" ? [{ field: "", message: i }] : [];
    const o = i as Record<string, unknown>;
    const field = Array.isArray(o.path) ? o.path.join(".") : String(o.field ?? o.path ?? "");
    return [{ field, message: String(o.message ?? ""), ...(typeof o.code === "string" ? { code: o.code } : {}) }];
  });
}

const DEFAULT_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  412: "VERSION_CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
};

async function toApiError(res: Response): Promise<CbmApiError> {
  const text = await res.text().catch(() => "");
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const code = DEFAULT_CODES[res.status] ?? (res.status >= 500 ? "SERVER_ERROR" : "HTTP_ERROR");
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const err = b.error && typeof b.error === "object" ? (b.error as Record<string, unknown>) : b;
    const message = typeof err.message === "string" ? err.message : typeof b.error === "string" ? b.error : `HTTP ${res.status}`;
    const c = typeof err.code === "string" ? err.code : code;
    return new CbmApiError(res.status, c, message, issuesOf(err));
  }
  return new CbmApiError(res.status, code, text.trim() || `HTTP ${res.status} ${res.statusText}`);
}

/** The API's answers that say "try again shortly": a stalled or throttled dependency (503), or a rate limit (429). */
const RETRYABLE_STATUS = new Set([429, 503]);
const MAX_ATTEMPTS = 3;
/** At most this long between attempts, whatever Retry-After says: a person is waiting at the prompt. */
const MAX_RETRY_WAIT_MS = 5_000;

/**
 * Reads and every write route that keeps Idempotency-Key records may be sent again; `DELETE /{PK}` keeps none (a
 * second delete after one that landed would answer 404 for a block the first call removed), so it is never retried.
 */
function mayRetry(method: string, path: string): boolean {
  return method === "GET" || method !== "DELETE" || path.startsWith("/requests/");
}

function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_WAIT_MS) : 1_000;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A typed client for the CBM REST API (the same routes locally and deployed). */
export function createCbmClient(opts: CbmClientOptions): CbmClient {
  const base = opts.apiUrl.replace(/\/+$/, "");
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; query?: Record<string, string | number | undefined>; headers?: Record<string, string> } = {},
  ): Promise<{ body: unknown; headers: Headers; status: number }> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { "x-api-key": opts.apiKey, accept: "application/json", ...init.headers };
    if (opts.actor) headers["x-cbm-actor"] = opts.actor;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const retrySafe = mayRetry(method, path);
    // One key for every attempt: a write that landed before its 503 is answered from the API's record, not repeated.
    if (retrySafe && method !== "GET" && !headers["idempotency-key"]) headers["idempotency-key"] = randomUUID();
    let res: Response;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await doFetch(url, {
          method,
          headers,
          ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        const reason = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
        throw new CbmApiError(0, "NETWORK_ERROR", `Cannot reach the CBM API at ${base}: ${reason}`, [], { cause: e });
      }
      if (!retrySafe || !RETRYABLE_STATUS.has(res.status) || attempt >= MAX_ATTEMPTS) break;
      await res.body?.cancel();
      await sleep(retryAfterMs(res.headers.get("retry-after")));
    }
    if (!res.ok) throw await toApiError(res);
    const text = res.status === 204 ? "" : await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CbmApiError(res.status, "BAD_RESPONSE", `The API answered ${method} ${path} with something that is not JSON`);
    }
    return { body, headers: res.headers, status: res.status };
  }

  const enc = (pk: string) => `/${encodeURIComponent(pk)}`;
  const ifMatch = (version?: number): Record<string, string> => (version === undefined ? {} : { "if-match": `"${version}"` });
  // The record is the top-level object; `warnings` and `approvalCovers` ride along and are reported, not kept.
  const blockOf = (body: unknown): Block => {
    const { warnings, approvalCovers, ...block } = body as Block & { warnings?: unknown; approvalCovers?: unknown };
    const notes = [
      ...(Array.isArray(warnings) ? warnings.map(String) : []),
      ...(typeof approvalCovers === "string" ? [`the approval covers ${approvalCovers}`] : []),
    ];
    if (notes.length) opts.onWarnings?.(notes);
    return block as Block;
  };

  const verdictBody = (o: VerdictOptions) => ({ ...(o.comment ? { comment: o.comment } : {}), ...(o.window ? { window: o.window } : {}) });
  // What the verdict covers and which window it decided is the answer itself, so it is returned, not warned about.
  const verdictOf = (body: unknown): VerdictResult => {
    const { verdictNote, approvalCovers: _covers, ...rest } = body as Block & { verdictNote?: unknown; approvalCovers?: unknown };
    return { block: blockOf(rest), ...(typeof verdictNote === "string" ? { note: verdictNote } : {}) };
  };

  async function listPage(o: { limit?: number; cursor?: string } = {}) {
    const r = await call("GET", "/", { query: { limit: o.limit, cursor: o.cursor } });
    const cursor = nextCursorFrom(r.headers);
    return { items: itemsOf<Block>(r.body), ...(cursor ? { cursor } : {}) };
  }

  return {
    apiUrl: base,
    listPage,
    async list(o = {}) {
      const out: Block[] = [];
      let cursor: string | undefined;
      const seen = new Set<string>();
      do {
        const page = await listPage({ limit: o.limit ?? MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
        out.push(...page.items);
        cursor = page.cursor;
        // A cursor seen twice would loop forever; the API is at fault, but we stop.
        if (cursor && seen.has(cursor)) break;
        if (cursor) seen.add(cursor);
      } while (cursor && (o.max === undefined || out.length < o.max));
      return o.max === undefined ? out : out.slice(0, o.max);
    },
    async get(pk) {
      return blockOf((await call("GET", enc(pk))).body);
    },
    async create(input) {
      return blockOf((await call("POST", "/", { body: input })).body);
    },
    async update(pk, patch, o = {}) {
      // The version goes in the body (the API also honours If-Match) so the pin survives proxies that drop headers.
      const body = o.version === undefined ? patch : { ...patch, version: o.version };
      return blockOf((await call("PUT", enc(pk), { body, headers: ifMatch(o.version) })).body);
    },
    async approve(pk, o = {}) {
      return verdictOf((await call("PATCH", enc(pk), o.comment || o.window ? { body: verdictBody(o) } : {})).body);
    },
    async deny(pk, o = {}) {
      return verdictOf((await call("POST", `${enc(pk)}/deny`, { body: verdictBody(o) })).body);
    },
    async delete(pk, o = {}) {
      await call("DELETE", enc(pk), { headers: ifMatch(o.version) });
    },
    async history(pk, o = {}) {
      const want = o.limit ?? 50;
      const out: HistoryEvent[] = [];
      let cursor: string | undefined;
      do {
        const r = await call("GET", `${enc(pk)}/history`, { query: { limit: Math.min(want - out.length, MAX_PAGE_LIMIT), cursor } });
        out.push(...itemsOf<HistoryEvent>(r.body));
        const next = nextCursorFrom(r.headers);
        if (!next || next === cursor) break;
        cursor = next;
      } while (out.length < want);
      return out.slice(0, want);
    },
    async openapi() {
      return (await call("GET", "/openapi.json")).body as Record<string, unknown>;
    },
    async request(method, path, init) {
      return (await call(method, path, init)).body;
    },
    async outbox(pk) {
      return itemsOf<Notification>((await call("GET", "/_local/outbox", { query: { pk } })).body);
    },
  };
}
