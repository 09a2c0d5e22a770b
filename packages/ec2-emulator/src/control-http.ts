import type { EmulatorControl } from "./control";
import { EmulatorError } from "./errors";

/** The reserved path prefix: EC2 itself only uses POST /. */
export const CONTROL_PREFIX = "/_emulator";

export interface JsonReply {
  status: number;
  body: unknown;
}

type Handler = (input: { body: Record<string, unknown>; query: URLSearchParams; id?: string }) => unknown;

/**
 * The control API as JSON over HTTP: each route is a thin call into EmulatorControl so HTTP and in-process users
 * get exactly the same behaviour.
 */
export function createControlRoutes(control: EmulatorControl) {
  const routes: Record<string, Handler> = {
    "GET /health": () => ({ ok: true, now: control.now().toISOString() }),
    "GET /clock": () => control.clock(),
    "POST /clock": ({ body }) => {
      const at = (body.now ?? body.iso ?? body.at) as string;
      control.setClock(at, { rate: body.rate as number | undefined });
      return control.clock();
    },
    "POST /clock/advance": ({ body }) => ({ now: control.advance(body as never).toISOString() }),
    "POST /clock/rate": ({ body }) => {
      control.setRate(body.rate as number);
      return control.clock();
    },
    "POST /clock/real": () => {
      control.useRealTime();
      return control.clock();
    },
    "POST /seed/demo": () => control.seedDemo(),
    "POST /seed/block": ({ body }) => control.seedBlock(body as never),
    "POST /blocks": ({ body }) => control.seedBlock(body as never),
    "POST /blocks/:id/share": ({ body, id }) => control.shareBlock(id!, body.accountId as string),
    "POST /blocks/:id/running": ({ body, id }) => control.setRunning(id!, body.running as number),
    "POST /blocks/:id/interconnect": ({ body, id }) => control.setInterconnectStatus(id!, body.status as string),
    "GET /reservations": ({ query }) =>
      control.reservations({ region: query.get("region") ?? undefined, accountId: query.get("accountId") ?? undefined }),
    "GET /reservations/:id": ({ id }) => control.reservation(id!) ?? notFound(`No reservation '${id}'`),
    "GET /extensions": ({ query }) => control.extensions(query.get("capacityReservationId") ?? undefined),
    "POST /capacity": ({ body }) => (control.setCapacity(body as never), { ok: true }),
    "POST /price": ({ body }) => (control.setPrice(body as never), { ok: true }),
    "POST /config": ({ body }) => control.configure(body),
    "GET /faults": () => control.faults(),
    "POST /faults": ({ body }) => ({ faultId: control.injectFault(body as never) }),
    "DELETE /faults": () => (control.clearFaults(), { ok: true }),
    "GET /ledger": () => control.ledger(),
    "GET /calls": () => control.calls(),
    "DELETE /calls": () => (control.resetCalls(), { ok: true }),
    "GET /error-codes": () => control.errorCodes(),
    "POST /error-codes": ({ body }) => (
      control.setErrorCode(body.situation as never, body.code as string, body.status as number | undefined),
      control.errorCodes()
    ),
    "POST /access-keys": ({ body }) => (control.mapAccessKey(body.accessKeyId as string, body.accountId as string), { ok: true }),
    "POST /reset": () => (control.reset(), { ok: true }),
  };

  return function handleControl(method: string, url: string, rawBody: string): JsonReply {
    const parsed = new URL(url, "http://emulator");
    const path = parsed.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, "") || "/";
    const segments = path.split("/");
    // Routes carry at most one id, always the third segment: /reservations/:id, /blocks/:id/share.
    const id = segments.length >= 3 ? decodeURIComponent(segments[2]!) : undefined;
    const handler =
      routes[`${method} ${path}`] ??
      (id !== undefined ? routes[`${method} ${[...segments.slice(0, 2), ":id", ...segments.slice(3)].join("/")}`] : undefined);
    if (!handler) return { status: 404, body: { error: { code: "UnknownRoute", message: `No control route ${method} ${path}` } } };
    try {
      let body: unknown = {};
      if (rawBody.trim() !== "") body = JSON.parse(rawBody);
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        return { status: 400, body: { error: { code: "InvalidJson", message: "The body must be a JSON object" } } };
      }
      const result = handler({ body: body as Record<string, unknown>, query: parsed.searchParams, id });
      return { status: 200, body: result ?? { ok: true } };
    } catch (err) {
      if (err instanceof SyntaxError) return { status: 400, body: { error: { code: "InvalidJson", message: err.message } } };
      if (err instanceof NotFoundReply) return { status: 404, body: { error: { code: "NotFound", message: err.message } } };
      if (err instanceof EmulatorError) return { status: 400, body: { error: { code: err.code, message: err.message } } };
      return { status: 500, body: { error: { code: "InternalError", message: err instanceof Error ? err.message : String(err) } } };
    }
  };
}

class NotFoundReply extends Error {}

function notFound(message: string): never {
  throw new NotFoundReply(message);
}
