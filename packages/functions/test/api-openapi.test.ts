import { describe, expect, it } from "vitest";
import { API_RESOURCES, API_ROUTES, PLANNING_RESOURCES, PLANNING_ROUTES } from "../src/contracts/routes";
import { useBlockApi } from "./support/block-api";

const { api } = useBlockApi();

describe("openapi.json", () => {
  it("is an OpenAPI 3.1 document with every route (the planning function's too), the API-key scheme and the error schema", async () => {
    const res = await api.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([...API_RESOURCES, ...PLANNING_RESOURCES].sort());
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...API_ROUTES, ...PLANNING_ROUTES].sort());
    expect(Object.keys(doc.paths["/"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/{PK}"]).sort()).toEqual(["delete", "get", "patch", "put"]);
    expect(doc.components.securitySchemes.ApiKey).toEqual({ type: "apiKey", in: "header", name: "x-api-key" });
    expect(doc.security).toEqual([{ ApiKey: [] }]);
    expect(doc.components.schemas.Error.properties).toHaveProperty("issues");
    expect(doc.components.schemas.Block.properties.policy).toBeTruthy();
    expect(doc.components.schemas.CreateBlockInput.properties.capacity_block_id.deprecated).toBe(true);
    // Every $ref resolves.
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const r of refs) expect(doc.components.schemas).toHaveProperty(r.slice(22, -1));
  });
});
