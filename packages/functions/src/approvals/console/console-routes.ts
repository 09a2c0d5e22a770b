import { isSafeText, spendCsv } from "@cbm/core";
import { keysMatch } from "../../platform/keys-match";
import { createConsoleUseCases, type ActionResult } from "./console-use-cases";
import { blockDetailPage, blocksPage, signInPage, type ConsoleContext } from "./console-pages";
import { spendPage } from "./spend-page";
import { html, page, pageHeaders } from "../../platform/web/html";
import {
  endSession,
  openSession,
  readSession,
  sessionCookie,
  sessionCookieName,
  sessionCsrf,
  verifySessionCsrf,
  type Session,
} from "./console-session";
import { bindRoutes } from "../../platform/http/route-table";
import type { AnyRoute, ApiEvent, RouteRequest, RouteResponse } from "../../platform/http/types";
import { CONSOLE_CONTRACTS } from "./console-contracts";
import { basePath, cookies, field, isSameOrigin, publicOrigin, servedOverHttps } from "../../platform/web/web-guards";
import type { WebRouteDeps } from "../web-deps";
import { createConsoleRequests } from "./console-requests";
import { requestsPage } from "./requests-page";

/** Outcomes the block page can announce after a redirect; a fixed list, so nothing from the URL is echoed. */
const DONE_MESSAGES: Record<string, string> = {
  approve: "Approved. CBM buys on its next check.",
  deny: "Denied for this window.",
  pause: "Paused.",
  resume: "Resumed.",
};

const htmlResponse = (statusCode: number, raw: string, headers: Record<string, string> = {}): RouteResponse => ({
  statusCode,
  body: undefined,
  raw,
  headers: pageHeaders(headers),
});
const redirect = (location: string, headers: Record<string, string> = {}): RouteResponse => ({
  statusCode: 303,
  body: undefined,
  raw: "",
  headers: { Location: location, "Cache-Control": "no-store", ...headers },
});
const refused = (text: string) =>
  htmlResponse(
    403,
    page(
      { title: "Refused" },
      html`<h1>Refused</h1>
        <div class="notice bad" role="alert"><p>${text}</p></div>`,
    ),
  );

/** The console: server-rendered pages behind a server-side session opened with the API key. */
export function consoleRoutes(d: WebRouteDeps): AnyRoute[] {
  const ui = createConsoleUseCases(d);
  const requestsUi = createConsoleRequests(d);
  const base = (e: ApiEvent) => basePath(e, d.apiUrl);
  const origin = (e: ApiEvent) => publicOrigin(e, d.apiUrl);
  const secure = (e: ApiEvent) => servedOverHttps(origin(e));
  const cookieFor = (e: ApiEvent, value: string, clear = false) =>
    sessionCookie(value, { consolePath: `${base(e)}/console`, secure: secure(e), clear });

  async function sessionOf(req: RouteRequest<unknown, unknown>): Promise<Session | undefined> {
    const sid = cookies(req.headers)[sessionCookieName(secure(req.event))];
    const s = await readSession(d.sessions, sid, await d.apiKey.apiKey(), d.clock.now().getTime());
    if (s) req.event.actor = s.actor;
    return s;
  }

  /** A page for a signed-in person; without a session GET goes to sign-in, and a POST is refused. */
  function signedIn<P, Q>(run: (req: RouteRequest<P, Q>, c: ConsoleContext, s: Session) => Promise<RouteResponse>) {
    return async (req: RouteRequest<P, Q>): Promise<RouteResponse> => {
      const s = await sessionOf(req as RouteRequest<unknown, unknown>);
      if (!s)
        return req.event.httpMethod === "GET" ? redirect(`${base(req.event)}/console`) : refused("Your session has ended. Sign in again.");
      if (
        req.event.httpMethod === "POST" &&
        (!isSameOrigin(req.headers, origin(req.event)) || !(await verifySessionCsrf(d.secret, s, field(req.body, "csrf"))))
      ) {
        return refused("This form did not come from the console's own page, so nothing was changed.");
      }
      const c = { base: base(req.event), csrf: await sessionCsrf(d.secret, s), actor: s.actor, now: d.clock.now() };
      return run(req, d.autoApproval ? { ...c, autoApproval: true } : c, s);
    };
  }

  return bindRoutes(CONSOLE_CONTRACTS, {
    consoleHome: async (req) => {
      if (await sessionOf(req)) return redirect(`${base(req.event)}/console/blocks`);
      return htmlResponse(200, signInPage(`${base(req.event)}/console/session`));
    },
    consoleSignIn: async ({ body, headers, event }) => {
      if (!isSameOrigin(headers, origin(event))) return refused("Sign in from the console's own page.");
      const presented = field(body, "apiKey") ?? "";
      const ok =
        presented.length > 0 &&
        presented.length <= 1024 &&
        (keysMatch(presented, await d.apiKey.apiKey()) ||
          (d.apiKey.refresh !== undefined && keysMatch(presented, await d.apiKey.refresh())));
      if (!ok) return htmlResponse(403, signInPage(`${base(event)}/console/session`, "That is not the API key."));
      const name = (field(body, "name") ?? "")
        .replace(/[^A-Za-z0-9 ._@+-]/g, "")
        .trim()
        .slice(0, 40);
      const actor = `console${name && isSafeText(name) ? `:${name}` : ""}`;
      const { sid } = await openSession(d.sessions, await d.apiKey.apiKey(), actor, d.clock.now().getTime());
      event.actor = actor;
      return redirect(`${base(event)}/console/blocks`, { "Set-Cookie": cookieFor(event, sid) });
    },
    consoleSignOut: signedIn(async (req, _c, s) => {
      // The record goes, not just the cookie: a copy of the cookie kept elsewhere is void from now on.
      await endSession(d.sessions, s.sid);
      return redirect(`${base(req.event)}/console`, { "Set-Cookie": cookieFor(req.event, "", true) });
    }),
    consoleBlocks: signedIn(async (_req, c) => htmlResponse(200, blocksPage(c, await ui.blocksByUrgency()))),
    consoleBlock: signedIn(async ({ params, query }, c) => {
      const found = await ui.block(params.PK);
      if (!found)
        return htmlResponse(
          404,
          page(
            { title: "Not found" },
            html`<h1>No block ${params.PK}</h1>
              <p><a href="${c.base}/console/blocks">All blocks</a></p>`,
          ),
        );
      const done = query.done ? DONE_MESSAGES[query.done] : undefined;
      return htmlResponse(
        200,
        blockDetailPage(c, found.block, found.history, found.pending, done ? { text: done, good: true } : undefined),
      );
    }),
    consoleAct: signedIn(async ({ params, body }, c, s) => {
      const justification = field(body, "justification")?.trim() || undefined;
      if (justification !== undefined && (justification.length > 1000 || !isSafeText(justification))) {
        return htmlResponse(
          400,
          page(
            { title: "Refused" },
            html`<h1>Refused</h1>
              <p>The justification must be at most 1000 printable characters.</p>`,
          ),
        );
      }
      let result: ActionResult;
      // `window=next` is the block page's explicit approval in advance (an override of a denial or an idle skip).
      if (params.action === "approve" && field(body, "window") === "next")
        result = await ui.approveAhead(params.PK, s.actor, justification);
      else if (params.action === "approve") result = await ui.approve(params.PK, s.actor, field(body, "terms"), justification);
      else if (params.action === "deny") result = await ui.deny(params.PK, s.actor, justification);
      else result = await ui.setEnabled(params.PK, s.actor, params.action === "resume");
      if (result.ok) return redirect(`${c.base}/console/blocks/${encodeURIComponent(params.PK)}?done=${params.action}`);
      const found = await ui.block(params.PK);
      if (!found) return htmlResponse(404, page({ title: "Not found" }, html`<h1>No block ${params.PK}</h1>`));
      return htmlResponse(
        result.status,
        blockDetailPage(c, found.block, found.history, found.pending, { text: `Nothing was changed: ${result.message}`, good: false }),
      );
    }),
    consoleRequests: signedIn(async (_req, c) => htmlResponse(200, requestsPage(c, await requestsUi.list()))),
    consoleRequestAct: signedIn(async ({ params }, c, s) => {
      const result =
        params.action === "approve" ? await requestsUi.approve(params.id, s.actor) : await requestsUi.decline(params.id, s.actor);
      const note = { text: result.ok ? result.message : `Nothing was changed: ${result.message}`, good: result.ok };
      return htmlResponse(result.ok ? 200 : result.status, requestsPage(c, await requestsUi.list(), note));
    }),
    consoleSpend: signedIn(async (_req, c) => {
      return htmlResponse(200, spendPage(c, await ui.spend()));
    }),
    consoleSpendCsv: signedIn(async () => {
      const report = await ui.spend();
      return {
        statusCode: 200,
        body: undefined,
        raw: spendCsv(report, "purchases"),
        headers: {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": 'attachment; filename="cbm-spend.csv"',
          "Cache-Control": "no-store",
          "X-Content-Type-Options": "nosniff",
        },
      };
    }),
  });
}
