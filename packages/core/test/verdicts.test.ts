import { describe, expect, it } from "vitest";
import { Block, InvalidStateError, approveBlock, decide, denyBlock } from "../src/index";
import { END, input, makeBlock } from "./fixtures";

const now = new Date("2025-06-03T12:00:00.000Z");

describe("approve and deny", () => {
  const needs = () => makeBlock({ denial: { window: END, by: "eve", at: END } }, { requireApproval: true });

  it("approves the current window, replacing a denial, and the engine then buys", () => {
    const { block, event } = approveBlock(needs(), { by: "cli:alice", comment: "go" }, now);
    expect(block).toMatchObject({ approved: true, denial: null, status: "approved", nextCheckAt: now.toISOString(), approval: { window: END, by: "cli:alice", comment: "go" } });
    expect(event).toMatchObject({ type: "approved", actor: "cli:alice", data: { window: END, comment: "go" } });
    expect(Block.parse(block)).toEqual(block);
    expect(decide(input({ block })).kind).toBe("purchase");
  });

  it("denies the current window, withdrawing an approval, and the engine then stops", () => {
    const approved = approveBlock(needs(), { by: "a" }, now).block;
    const { block, event } = denyBlock(approved, { by: "b" }, now);
    expect(block).toMatchObject({ approved: false, approval: null, status: "denied", denial: { window: END, by: "b" } });
    expect(event.type).toBe("denied");
    expect(decide(input({ block }))).toMatchObject({ kind: "stop", reason: "denied" });
  });

  it("refuses a verdict before the block was checked against EC2", () => {
    expect(() => approveBlock(makeBlock({ status: "registered" }), { by: "a" }, now)).toThrow(InvalidStateError);
    expect(() => denyBlock(makeBlock({ endDate: undefined }), { by: "a" }, now)).toThrow(InvalidStateError);
  });
});
