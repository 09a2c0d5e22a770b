import * as z from "zod";
import { routeTable } from "../../platform/http/route-table";

const TokenParams = z.object({ token: z.string().min(1).max(6000) }).strict();

/**
 * The approval link's two routes, declared once, by operationId: link-routes.ts binds a handler to each. GET shows
 * the confirmation page and never acts (mail scanners fetch links); POST acts.
 */
export const LINK_CONTRACTS = routeTable({
  reviewApprovalLink: {
    method: "GET",
    path: "/link/{token}",
    summary: "Confirmation page of an approval link (HTML); changes nothing",
    auth: "self",
    params: TokenParams,
    responses: {
      200: { description: "The terms and the Approve / Deny form" },
      404: { description: "Not a valid link" },
      409: { description: "Superseded" },
      410: { description: "Used or expired" },
    },
  },
  answerApprovalLink: {
    method: "POST",
    path: "/link/{token}",
    summary: "Approve or deny through an approval link (HTML form post, same origin, CSRF token); acts once",
    auth: "self",
    form: true,
    params: TokenParams,
    responses: {
      200: { description: "Recorded" },
      400: { description: "Nothing changed: fix the form" },
      403: { description: "Not from CBM's own page" },
    },
  },
});
