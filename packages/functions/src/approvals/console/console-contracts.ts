import * as z from "zod";
import { PK } from "@cbm/core";
import { routeTable } from "../../platform/http/route-table";

const BlockParams = z.object({ PK }).strict();
const ActionParams = z.object({ PK, action: z.enum(["approve", "deny", "pause", "resume"]) }).strict();
const RequestActionParams = z.object({ id: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/), action: z.enum(["approve", "decline"]) }).strict();

const common = {
  auth: "self" as const,
  responses: {
    200: { description: "HTML page" },
    303: { description: "Redirect" },
    403: { description: "Not signed in, or not from the console's page" },
  },
};

/** The console's pages, declared once, by operationId: console-routes.ts binds a handler to each. */
export const CONSOLE_CONTRACTS = routeTable({
  consoleHome: {
    ...common,
    method: "GET",
    path: "/console",
    summary: "Console sign-in page (HTML)",
  },
  consoleSignIn: {
    ...common,
    method: "POST",
    path: "/console/session",
    summary: "Sign in with the API key (form); sets the session cookie (a random id)",
    form: true,
  },
  consoleSignOut: {
    ...common,
    method: "POST",
    path: "/console/signout",
    summary: "Sign out (deletes the session, clears its cookie)",
    form: true,
  },
  consoleBlocks: {
    ...common,
    method: "GET",
    path: "/console/blocks",
    summary: "Blocks by urgency, pending approvals first (HTML)",
  },
  consoleBlock: {
    ...common,
    method: "GET",
    path: "/console/blocks/{PK}",
    summary: "One block: timeline, policy, approve / deny / pause (HTML)",
    params: BlockParams,
    query: z.object({ done: z.string().max(20).optional() }).strict(),
  },
  consoleAct: {
    ...common,
    method: "POST",
    path: "/console/blocks/{PK}/{action}",
    summary: "Approve, deny, pause or resume from the block page (form, CSRF token, same origin)",
    form: true,
    params: ActionParams,
  },
  consoleRequests: {
    ...common,
    method: "GET",
    path: "/console/requests",
    summary: "Capacity requests, with Approve (the exact quote) and Decline (HTML)",
  },
  consoleRequestAct: {
    ...common,
    method: "POST",
    path: "/console/requests/{id}/{action}",
    summary: "Approve or decline a capacity request from the requests page (form, CSRF token, same origin)",
    form: true,
    params: RequestActionParams,
  },
  consoleSpend: {
    ...common,
    method: "GET",
    path: "/console/spend",
    summary: "Spend per month, per block and per team tag (HTML)",
  },
  consoleSpendCsv: {
    ...common,
    method: "GET",
    path: "/console/spend.csv",
    summary: "Every purchase as CSV, amounts exactly as stored",
  },
});
