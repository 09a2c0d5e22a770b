import { describe, expect, it } from "vitest";
import { MAX_USAGE_HOURS, idleHours, recordUsage, type BlockUsage } from "../src/index";

const sample = (running: number, state = "active") => ({
  capacityReservationId: "cr-00000000000000001",
  state,
  total: 4,
  available: 4 - running,
});

describe("recordUsage", () => {
  it("keeps at most two weeks of hourly aggregates", () => {
    let u: BlockUsage | undefined;
    const start = Date.parse("2026-11-01T00:00:00Z");
    for (let h = 0; h < MAX_USAGE_HOURS + 5; h++) u = recordUsage(u, "pk", sample(1), new Date(start + h * 3_600_000).toISOString());

    expect(u!.hours).toHaveLength(MAX_USAGE_HOURS);
    expect(u!.hours[0]!.hour).toBe("2026-11-01T05");
  });

  it("counts idleness only while the block is active and nothing runs", () => {
    const notStarted = recordUsage(undefined, "pk", { ...sample(0, "scheduled"), available: 0 }, "2026-11-01T00:00:00.000Z");
    const idle = recordUsage(notStarted, "pk", sample(0), "2026-11-01T01:00:00.000Z");
    const stillIdle = recordUsage(idle, "pk", sample(0), "2026-11-01T04:30:00.000Z");
    const busy = recordUsage(stillIdle, "pk", sample(3), "2026-11-01T05:00:00.000Z");

    expect([notStarted.idleSince, idle.idleSince, stillIdle.idleSince, busy.idleSince]).toEqual([
      null,
      "2026-11-01T01:00:00.000Z",
      "2026-11-01T01:00:00.000Z",
      null,
    ]);
    expect(idleHours(stillIdle, "2026-11-01T04:30:00.000Z")).toBe(3);
    expect(notStarted.current.running).toBe(0);
  });
});
