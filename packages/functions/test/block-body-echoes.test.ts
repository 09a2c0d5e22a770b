import { describe, expect, it } from "vitest";
import { VersionConflictError } from "@cbm/core";
import { END, NOW, applyBlockUpdate, ctx, issuesOf, stored } from "./support/block-body";

describe("applyBlockUpdate: read-only echoes and approval verdicts", () => {
  it("rejects read-only fields sent with another value", () => {
    expect(
      issuesOf(() => applyBlockUpdate(stored(), { spent: "5", updatedAt: "2020-01-01T00:00:00.000Z" }, ctx)).map((i) => i.code),
    ).toEqual(["read_only", "read_only"]);
  });

  it("takes the whole record read back, changing only what differs", () => {
    const b = stored();
    const { block, verdict } = applyBlockUpdate(b, { ...b, name: "renamed" }, ctx);
    expect(block).toMatchObject({ name: "renamed", spent: b.spent, status: b.status, createdAt: b.createdAt });
    expect(verdict).toBeUndefined();
  });

  it("reports a read-only mismatch in a record read at an older version as a version conflict", () => {
    const b = stored();
    expect(() =>
      applyBlockUpdate(
        { ...b, version: b.version + 1, statusReason: "changed by a tick since" },
        { ...b, statusReason: "as read", name: "x" },
        ctx,
      ),
    ).toThrow(VersionConflictError);
  });

  it("keeps a denial, the approval too unless approved: false withdraws it", () => {
    const approval = { window: END, by: "bob", at: NOW };
    const denial = { window: END, by: "eve", at: NOW };
    const b = { ...stored(), approval, approved: true, denial };
    expect(applyBlockUpdate(b, { extendByDays: 3 }, ctx).block).toMatchObject({ approval, approved: true, denial });
    expect(applyBlockUpdate(b, { approved: false }, ctx).verdict).toBe("withdraw");
    expect(applyBlockUpdate(b, { approval: false }, ctx).verdict).toBe("withdraw");
    expect(applyBlockUpdate(b, { approval: true }, ctx).verdict).toBe("approve");
  });

  it("treats approved read back unchanged as an echo, not an act", () => {
    expect(applyBlockUpdate({ ...stored(), approved: false }, { approved: false }, ctx).verdict).toBeUndefined();
  });

  it("never turns requireApproval off through the approval flag", () => {
    const b = { ...stored(), policy: { ...stored().policy, requireApproval: true } };
    expect(applyBlockUpdate(b, { approval: false }, ctx).block.policy.requireApproval).toBe(true);
  });
});
