import type { RequestStore } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { useRequestWorld } from "./support/request-world";

const w = useRequestWorld();

/** A store whose first write of request `id` fails as a bug would (not a CbmError); every other call goes through. */
function failingOnce(id: string): (inner: RequestStore) => RequestStore {
  let failed = false;
  return (inner) => ({
    ...inner,
    async update(req, expectedVersion) {
      if (!failed && req.id === id) {
        failed = true;
        throw new TypeError("a bug in a step");
      }
      return inner.update(req, expectedVersion);
    },
  });
}

describe("the request worker when a step fails with a bug", () => {
  it("reports it, putting the request back in the queue a minute later, so it cannot hold a slot of every run", async () => {
    const id = await w.open({ requireApproval: false });
    const before = await w.requests.get(id);

    const report = await w.run({ wrapRequests: failingOnce(id) });

    expect(report.errors).toEqual([{ id, message: "a bug in a step" }]);
    const after = await w.requests.get(id);
    expect(after!.intent ?? null).toBeNull();
    expect(after!.failures).toBe((before!.failures ?? 0) + 1);
    expect(Date.parse(after!.nextCheckAt!)).toBeGreaterThan(Date.parse(before!.nextCheckAt!));
    expect(after!.statusReason).toContain("a bug in a step");
  });
});
