import { randomUUID } from "node:crypto";
import type { RequestContext, World } from "./context";
import { Ec2Error, EmulatorError } from "./errors";
import type { Fault, FaultKind } from "./faults";
import { identify } from "./identity";
import { OPERATIONS } from "./operations/index";
import { QueryParams } from "./query-parser";
import { iso } from "./time";
import { errorXml, responseXml } from "./xml";

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const ERROR_FAULTS: Record<string, () => Ec2Error> = {
  throttle: () => new Ec2Error("RequestLimitExceeded", "Request limit exceeded."),
  "describe-limit": () =>
    new Ec2Error(
      "CapacityBlockDescribeLimitExceeded",
      "You have exceeded the limit for describing Capacity Block offerings. Try again later.",
    ),
  "error-before": () => new Ec2Error("InternalError", "An internal error has occurred."),
};

export interface Ec2HandlerDeps {
  world: World;
  accessKeys: ReadonlyMap<string, string>;
  defaultAccountId: string;
  sleep: (ms: number) => Promise<void>;
  /**
   * Runs after every operation, before the answer (and before a latency fault holds it): the state file is written
   * here, so a purchase is saved before the caller can learn of it or the process can die holding the answer.
   */
  afterOperation?: () => void;
}

/**
 * One EC2 Query request from bytes to bytes. Every failure, including our own bugs, becomes an error envelope with
 * an `x-amzn-requestid` header; nothing here can crash the server.
 */
export function createEc2Handler({ world, accessKeys, defaultAccountId, sleep, afterOperation }: Ec2HandlerDeps) {
  return async function handleEc2(raw: RawRequest): Promise<Reply> {
    const requestId = randomUUID();
    const { region, accountId } = identify(header(raw, "authorization"), accessKeys, { region: "us-east-1", accountId: defaultAccountId });
    const atMs = world.clock.nowMs();
    let action = "";
    let latency: Fault | undefined;
    let reply: Reply;
    try {
      const params = parseRequest(raw);
      action = params.string("Action") ?? "";
      if (!action) throw new Ec2Error("MissingAction", "The request must contain the parameter Action.");
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation) throw new Ec2Error("InvalidAction", `The action ${action} is not valid for this web service.`);

      const target = { action, reservationIds: [params.get("CapacityReservationId") ?? "", ...params.list("CapacityReservationId")] };
      const errorFault = world.faults.take(["throttle", "describe-limit", "error-before"], target);
      if (errorFault) throw ERROR_FAULTS[errorFault.kind]!();
      latency = world.faults.take(["latency"], target);
      if (latency?.effect === "before") await sleep(latency.ms ?? 0);

      const ctx: RequestContext = {
        action,
        region,
        accountId,
        requestId,
        nowMs: world.clock.nowMs(),
        params,
        takeFault: (kind: FaultKind) => world.faults.take([kind], target) !== undefined,
      };
      let body;
      try {
        body = operation(ctx, world);
        if (world.faults.take(["error-after"], target)) {
          // The purchase (if any) is committed; mark it so tests can tell the caller never saw it succeed.
          for (const entry of world.store.ledger) if (entry.requestId === requestId) entry.faultAfter = true;
          throw new Ec2Error("InternalError", "An internal error has occurred.");
        }
      } finally {
        saveAfter(afterOperation);
      }
      reply = { status: 200, headers: { "content-type": "text/xml;charset=UTF-8" }, body: responseXml(action, requestId, body) };
    } catch (err) {
      reply = errorReply(err, requestId);
    }
    if (latency && latency.effect !== "before") await sleep(latency.ms ?? 0);
    world.store.recordCall({
      at: iso(atMs),
      action: action || "(none)",
      region,
      accountId,
      status: reply.status,
      errorCode: reply.status >= 300 ? /<Code>([^<]*)<\/Code>/.exec(reply.body)?.[1] : undefined,
      attempt: header(raw, "amz-sdk-request"),
      requestId,
    });
    reply.headers["x-amzn-requestid"] = requestId;
    return reply;
  };
}

/** A world that could not be saved is an outage of ours: EC2 answers those with InternalError, outcome unknown. */
function saveAfter(afterOperation: (() => void) | undefined): void {
  try {
    afterOperation?.();
  } catch (err) {
    throw new Ec2Error("InternalError", `An internal error has occurred (${err instanceof Error ? err.message : String(err)}).`);
  }
}

function parseRequest(raw: RawRequest): QueryParams {
  if (raw.method === "GET") {
    // EC2 also accepts the Query protocol as a GET query string; handy with curl.
    const query = raw.url.includes("?") ? raw.url.slice(raw.url.indexOf("?") + 1) : "";
    return QueryParams.parse(query);
  }
  if (raw.method !== "POST") throw new Ec2Error("MethodNotAllowed", `The HTTP method ${raw.method} is not allowed; use POST.`);
  const contentType = header(raw, "content-type");
  if (contentType !== undefined && !contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new Ec2Error("UnsupportedProtocol", `Content-Type '${contentType}' is not supported; send application/x-www-form-urlencoded.`);
  }
  return QueryParams.parse(raw.body);
}

export function errorReply(err: unknown, requestId: string): Reply {
  const known = err instanceof Ec2Error ? err : undefined;
  const code = known?.code ?? (err instanceof EmulatorError ? "InvalidParameterValue" : "InternalError");
  const status = known?.status ?? (err instanceof EmulatorError ? 400 : 500);
  const message = err instanceof Error ? err.message : "An internal error has occurred.";
  return {
    status,
    headers: { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId },
    body: errorXml(code, message, requestId),
  };
}

function header(raw: RawRequest, name: string): string | undefined {
  const value = raw.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
