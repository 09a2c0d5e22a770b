import { describe, expect, it } from "vitest";
import { blockRoutes } from "../src/http/block-routes";
import { openApiRoute } from "../src/http/openapi";
import { API_ROUTES } from "../src/http/route-manifest";
import type { BlockUseCases } from "../src/use-cases/blocks";

describe("the route manifest", () => {
  it("lists exactly the routes the API's router serves", () => {
    // The handlers are never called here: only the table of methods and paths is read.
    const routes = [openApiRoute(() => []), ...blockRoutes({} as BlockUseCases)];

    const served = routes.map((r) => `${r.method} ${r.path}`);

    expect(served.sort()).toEqual([...API_ROUTES].sort());
  });
});
