import { isSafeText, linkActor, type Clock } from "@cbm/core";
import type { LinkAnswer } from "./link-answer";
import type { AnyLinkOutcome, AnyLinkView, Links } from "./links";
import { pageHeaders } from "../../platform/web/html";
import { anyLinkReadyPage, linkResultPage } from "./link-pages";
import { bindRoutes } from "../../platform/http/route-table";
import type { AnyRoute, ApiEvent, RouteResponse } from "../../platform/http/types";
import { LINK_CONTRACTS } from "./link-contracts";
import { basePath, field, isSameOrigin, publicOrigin } from "../../platform/web/web-guards";
import { html, page } from "../../platform/web/html";

/** Status of each page: the form 200; a link that changes nothing says why with a fitting status. */
const STATUS: Record<string, number> = {
  ready: 200,
  done: 200,
  refused: 400,
  invalid: 404,
  used: 410,
  expired: 410,
  superseded: 409,
  retry: 503,
};

function respond(statusKey: string, raw: string): RouteResponse {
  return {
    statusCode: STATUS[statusKey] ?? 200,
    body: undefined,
    raw,
    headers: pageHeaders(statusKey === "retry" ? { "Retry-After": "60" } : {}),
  };
}

/** Names the link's recipient in the access log once the token checked out. */
function noteActor(event: ApiEvent, v: AnyLinkView | AnyLinkOutcome): void {
  const claims = "claims" in v ? v.claims : v.kind === "refused" ? v.view.claims : undefined;
  if (claims) event.actor = linkActor(claims);
}

function parseAnswer(body: unknown): LinkAnswer | string {
  const action = field(body, "action");
  if (action !== "approve" && action !== "deny") return "Choose Approve or Deny.";
  const justification = field(body, "justification")?.trim();
  if (justification !== undefined && (justification.length > 1000 || !isSafeText(justification)))
    return "The justification must be at most 1000 printable characters.";
  const csrf = field(body, "csrf");
  return { action, confirmed: field(body, "confirm") === "yes", ...(justification ? { justification } : {}), ...(csrf ? { csrf } : {}) };
}

/**
 * `GET /link/{token}` shows the confirmation page and never acts: mail scanners and link previews fetch links.
 * `POST /link/{token}` acts, only from a same-origin form carrying the page's CSRF token and the ticked box.
 */
export function linkRoutes(links: Links, clock: Clock, opts: { apiUrl?: string } = {}): AnyRoute[] {
  const actionOf = (event: ApiEvent, token: string) => `${basePath(event, opts.apiUrl)}/link/${encodeURIComponent(token)}`;
  return bindRoutes(LINK_CONTRACTS, {
    reviewApprovalLink: async ({ params, event }) => {
      const v = await links.view(params.token);
      noteActor(event, v);
      return v.kind === "ready"
        ? respond("ready", anyLinkReadyPage(v, actionOf(event, params.token), clock.now()))
        : respond(v.kind, linkResultPage(v));
    },
    answerApprovalLink: async ({ params, body, headers, event }) => {
      if (!isSameOrigin(headers, publicOrigin(event, opts.apiUrl))) {
        return {
          statusCode: 403,
          body: undefined,
          raw: page(
            { title: "Refused" },
            html`<h1>Refused</h1>
              <div class="notice bad" role="alert">
                <p>This answer did not come from CBM's own page, so nothing was changed. Open the link from the notice and answer there.</p>
              </div>`,
          ),
          headers: pageHeaders(),
        };
      }
      const answer = parseAnswer(body);
      if (typeof answer === "string") {
        const v = await links.view(params.token);
        noteActor(event, v);
        return v.kind === "ready"
          ? respond("refused", anyLinkReadyPage(v, actionOf(event, params.token), clock.now(), answer))
          : respond(v.kind, linkResultPage(v));
      }
      const outcome = await links.answer(params.token, answer);
      noteActor(event, outcome);
      if (outcome.kind === "refused")
        return respond("refused", anyLinkReadyPage(outcome.view, actionOf(event, params.token), clock.now(), outcome.message));
      return respond(outcome.kind, linkResultPage(outcome));
    },
  });
}
