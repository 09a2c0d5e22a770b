import { describe, expect, it } from "vitest";
import type { BlockMarket, BlockStore, HistoryStore, RequestStore } from "@cbm/core";
import { planningRoutes } from "../src/http/create-planning-handler";
import { PLANNING_ROUTES } from "../src/http/planning-route-manifest";

describe("the planning route manifest", () => {
  it("lists exactly the routes the planning function serves", () => {
    // The handlers are never called here: only the table of methods and paths is read.
    const routes = planningRoutes({
      market: {} as BlockMarket,
      requests: {} as RequestStore,
      store: {} as BlockStore,
      history: {} as HistoryStore,
      usage: { get: async () => undefined },
      defaultRegion: "us-east-1",
    });

    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([...PLANNING_ROUTES].sort());
  });
});
