import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Capacity } from "./capacity";
import { Clock } from "./clock";
import { defaultRuleConfig } from "./config";
import type { World } from "./context";
import { createControl, type EmulatorControl } from "./control";
import { CONTROL_PREFIX, createControlRoutes } from "./control-http";
import { createEc2Handler, errorReply, type Reply } from "./ec2-handler";
import { ErrorCodes } from "./error-codes";
import { Ec2Error } from "./errors";
import { Faults } from "./faults";
import { createPersistence, savingControl } from "./persistence";
import { Pricing } from "./pricing";
import { Ids } from "./random";
import { Store } from "./store";

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Real time (default), or a virtual clock starting at `start`, frozen unless `rate` > 0 (N× wall speed). */
  clock?: "real" | { start: string; rate?: number };
  /** "demo" seeds six blocks in us-east-1 and us-west-2; default "none". */
  seed?: "demo" | "none";
  /** The account every access key maps to unless mapped otherwise; default "123456789012". */
  defaultAccountId?: string;
  /** How long payments take to clear, in virtual seconds; default 300. */
  paymentDelaySeconds?: number;
  /** How long expired / payment-failed blocks stay visible; default forever. */
  expiredRetentionHours?: number;
  /**
   * Keep the world (blocks, extensions, offerings, ledger, clock, rules) in this JSON file, rewritten atomically
   * after every change and before a purchase is answered, and continue from it on the next start. A saved world
   * wins over `clock`, `seed`, `paymentDelaySeconds` and `expiredRetentionHours`, which only shape a new one.
   */
  stateFile?: string;
}

export interface Emulator {
  control: EmulatorControl;
  /** A node:http request listener; embed it in any server. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Ends pending latency-fault waits so a server can close at once. */
  shutdown(): void;
  /** True when the world was loaded from `stateFile` instead of being created. */
  restored: boolean;
}

/** Requests bigger than this are refused (EC2's own limits are far below it). */
const MAX_BODY_BYTES = 1024 * 1024;

export function createEmulator(opts: EmulatorOptions = {}): Emulator {
  const defaultAccountId = opts.defaultAccountId ?? "123456789012";
  const paymentDelaySeconds = opts.paymentDelaySeconds ?? 300;
  const world: World = {
    store: new Store(),
    clock: new Clock(),
    config: defaultRuleConfig(paymentDelaySeconds),
    codes: new ErrorCodes(),
    ids: new Ids(),
    pricing: new Pricing(),
    capacity: new Capacity(),
    faults: new Faults(),
  };
  const accessKeys = new Map<string, string>();
  const plainControl = createControl({ world, accessKeys, defaultAccountId, initialPaymentDelaySeconds: paymentDelaySeconds });
  const persistence = opts.stateFile === undefined ? undefined : createPersistence(opts.stateFile, world, accessKeys);
  const restored = persistence?.restore() ?? false;
  if (!restored) {
    if (opts.clock && opts.clock !== "real") plainControl.setClock(opts.clock.start, { rate: opts.clock.rate ?? 0 });
    if (opts.expiredRetentionHours !== undefined) plainControl.configure({ expiredRetentionHours: opts.expiredRetentionHours });
    if (opts.seed === "demo") plainControl.seedDemo();
  }
  persistence?.save();
  const control = persistence ? savingControl(plainControl, persistence.save) : plainControl;

  const sleeping = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleeping.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      sleeping.add(done);
    });
  const handleEc2 = createEc2Handler({
    world,
    accessKeys,
    defaultAccountId,
    sleep,
    ...(persistence ? { afterOperation: persistence.save } : {}),
  });
  const handleControl = createControlRoutes(control);

  function handle(req: IncomingMessage, res: ServerResponse): void {
    readBody(req)
      .then(async (body): Promise<Reply> => {
        const url = req.url ?? "/";
        if (url === CONTROL_PREFIX || url.startsWith(`${CONTROL_PREFIX}/`) || url.startsWith(`${CONTROL_PREFIX}?`)) {
          if (body === undefined) return jsonReply(413, { error: { code: "RequestEntityTooLarge", message: "Body over 1 MiB" } });
          const reply = handleControl(req.method ?? "GET", url, body);
          return jsonReply(reply.status, reply.body);
        }
        if (body === undefined) {
          return errorReply(new Ec2Error("RequestEntityTooLarge", "The request body exceeds 1 MiB."), randomUUID());
        }
        return handleEc2({ method: req.method ?? "GET", url, headers: req.headers, body });
      })
      .catch((err: unknown) => errorReply(err, randomUUID()))
      .then((reply) => {
        if (res.destroyed || res.headersSent) return;
        res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) });
        res.end(reply.body);
      })
      .catch(() => {
        // The client went away (e.g. its timeout fired during a latency fault); nothing left to answer.
      });
  }

  return {
    control,
    handle,
    restored,
    shutdown() {
      for (const wake of [...sleeping]) wake();
    },
  };
}

/** Resolves with the body, or undefined when it exceeded the cap (the rest is drained, not stored). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function jsonReply(status: number, body: unknown): Reply {
  return {
    status,
    headers: { "content-type": "application/json", "x-amzn-requestid": randomUUID() },
    body: JSON.stringify(body),
  };
}
