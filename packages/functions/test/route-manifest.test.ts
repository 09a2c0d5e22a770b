import { describe, expect, it } from "vitest";
import type { BlockMarket, BlockStore, HistoryStore, RequestStore } from "@cbm/core";
import { blockRoutes } from "../src/blocks/block-routes";
import { planningRoutes } from "../src/composition/create-planning-handler";
import { isWebPath } from "../src/composition/create-web-handler";
import { buildOpenApiDocument, openApiRoute } from "../src/composition/openapi";
import {
  API_RESOURCES,
  API_ROUTES,
  API_TABLES,
  documentedContracts,
  PLANNING_RESOURCES,
  PLANNING_ROUTES,
  PLANNING_TABLES,
  WEB_ROUTES,
  WEB_TABLES,
} from "../src/contracts/routes";
import { ROUTE_SEGMENTS } from "../src/platform/http/reserved-keys";
import { webRoutes, type WebRouteDeps } from "../src/approvals/web-routes";
import type { BlockUseCases } from "../src/blocks/use-cases";

// The handlers are never called here: only the tables of methods, paths and schemas are read.
const apiRoutes = () => [...openApiRoute(() => []), ...blockRoutes({} as BlockUseCases)];
const allPlanningRoutes = () =>
  planningRoutes({
    market: {} as BlockMarket,
    requests: {} as RequestStore,
    store: {} as BlockStore,
    history: {} as HistoryStore,
    usage: { get: async () => undefined },
    defaultRegion: "us-east-1",
  });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reading a JSON document
/** The document the API serves: its own routes and the planning function's contracts, as create-api-handler builds it. */
const doc = (): Json => buildOpenApiDocument(documentedContracts());
const documented = (d: Json) =>
  Object.entries(d.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

describe("the route manifests", () => {
  it("list exactly the routes the API's router serves", () => {
    const served = apiRoutes().map((r) => `${r.method} ${r.path}`);

    expect(served.sort()).toEqual([...API_ROUTES].sort());
  });

  it("list exactly the routes the planning function serves", () => {
    const served = allPlanningRoutes().map((r) => `${r.method} ${r.path}`);

    expect(served.sort()).toEqual([...PLANNING_ROUTES].sort());
  });

  it("name each route once: an operationId is never used by two routes", () => {
    const names = [...API_TABLES, ...PLANNING_TABLES, ...WEB_TABLES].flatMap((t) => Object.values(t).map((c) => c.operationId));

    expect(new Set(names).size).toBe(names.length);
  });

  it("reserve the first segment of every route as a block key, so /{PK} never shadows a route", () => {
    const segments = [...API_ROUTES, ...WEB_ROUTES, ...PLANNING_ROUTES].map((r) => r.slice(r.indexOf(" ") + 2).split("/")[0]!);

    expect(segments.filter((s) => s !== "" && !s.startsWith("{") && !ROUTE_SEGMENTS.includes(s))).toEqual([]);
  });

  it("list exactly the browser pages the web handler serves", () => {
    const served = webRoutes({} as WebRouteDeps).map((r) => `${r.method} ${r.path}`);

    expect(served.sort()).toEqual([...WEB_ROUTES].sort());
  });

  it("are what the OpenAPI document describes: every method of the block API, the planning API", () => {
    const d = doc();

    expect(Object.keys(d.paths).sort()).toEqual([...API_RESOURCES, ...PLANNING_RESOURCES].sort());
    expect(documented(d).sort()).toEqual([...API_ROUTES, ...PLANNING_ROUTES].sort());
  });
});

describe("the OpenAPI document of the planning routes", () => {
  it("takes query parameters from the route's zod schema, with what is required", () => {
    const params = doc().paths["/offerings"].get.parameters as Json[];

    expect(params.find((p) => p.name === "instanceType")).toMatchObject({ in: "query", required: true, description: expect.any(String) });
    expect(params.find((p) => p.name === "durationDays")).toMatchObject({ required: false, schema: { type: "string" } });
    expect(params.map((p) => p.name)).toContain("allAvailabilityZones");
  });

  it("takes path parameters from the route's zod schema", () => {
    const [id] = doc().paths["/requests/{id}"].get.parameters as Json[];

    expect(id).toMatchObject({ name: "id", in: "path", required: true, schema: { pattern: "^[0-9A-Za-z._:-]{1,128}$" } });
  });

  it("describes request bodies, answers from the schemas that parse or build them", () => {
    const d = doc();
    const create = d.paths["/requests"].post;

    expect(create.requestBody).toMatchObject({
      required: true,
      content: { "application/json": { schema: { $ref: "#/components/schemas/CreateRequestInput" } } },
    });
    expect(d.components.schemas.CreateRequestInput.required).toContain("latestStart");
    expect(create.responses["201"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/CapacityRequest" });
    expect(d.components.schemas.SpendReport.properties).toHaveProperty("purchases");
    expect(d.components.schemas.OfferingSearchResult.properties).toHaveProperty("regions");
  });

  it("documents Idempotency-Key, x-cbm-actor on the writes that read them", () => {
    const headers = (op: Json) => (op.parameters as Json[]).filter((p) => p.in === "header").map((p) => p.name);
    const d = doc();

    expect(headers(d.paths["/requests"].post)).toEqual(["Idempotency-Key", "x-cbm-actor"]);
    expect(headers(d.paths["/requests/{id}"].delete)).toEqual(["Idempotency-Key", "x-cbm-actor"]);
    expect(d.paths["/requests"].post.responses).toHaveProperty("422");
  });

  it("resolves every $ref", () => {
    const d = doc();

    const refs = JSON.stringify(d).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];

    for (const r of refs) expect(d.components.schemas).toHaveProperty(r.slice(22, -1));
  });
});

describe("the split between the web and API functions", () => {
  it("gives the browser pages the paths under their tables' first segments", () => {
    const owned = ["/console", "/console/blocks", "/link/abc", "/link/"].filter(isWebPath);
    expect(owned).toEqual(["/console", "/console/blocks", "/link/abc", "/link/"]);
  });

  it("leaves a bare /link and every other path to the JSON API", () => {
    const owned = ["/link", "/consoles", "/blocks", "/openapi.json", "/"].filter(isWebPath);
    expect(owned).toEqual([]);
  });
});
