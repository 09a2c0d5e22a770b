import { routeTable } from "./route-table";

/** GET /openapi.json, declared once; platform/http/openapi.ts serves the document. */
export const OPENAPI_CONTRACTS = routeTable({
  openApi: {
    method: "GET",
    path: "/openapi.json",
    summary: "This document",
    responses: { 200: { description: "OpenAPI 3.1 document" }, 403: { description: "Missing or wrong API key", schema: "Forbidden" } },
  },
});
