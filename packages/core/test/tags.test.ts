import { describe, expect, it } from "vitest";
import { BlockTags, parseOrThrow, StoredTags, tagsByTheRules, ValidationError } from "../src/index";

function issuesOf(tags: unknown) {
  try {
    parseOrThrow(BlockTags, tags);
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  return [];
}

describe("tags follow the text rule and EC2's tag rules", () => {
  it.each([
    { team: "vision" },
    { "cost-center": "R+D/ml=1 @team:a_b.c" },
    { équipe: "Zoë" },
    { ["k".repeat(128)]: "v".repeat(256) },
    { team: "" },
  ])("accepts %j", (tags) => {
    expect(issuesOf(tags)).toEqual([]);
  });

  it.each([
    ["a bidi override and a bell in a value", { team: "ops\u202e0001 DSU\u0007" }, "team"],
    ["an escape sequence in a value", { team: "a\u0001\u001b[2Jb" }, "team"],
    ["a C1 control", { team: "a\u0085b" }, "team"],
    ["an isolate", { team: "a\u2066b" }, "team"],
    ["a lone surrogate", { team: "a\ud800" }, "team"],
    ["a character EC2 refuses", { team: "a;b" }, "team"],
    ["a value over 256 characters", { team: "v".repeat(257) }, "team"],
  ])("refuses %s, naming the tag", (_what, tags, field) => {
    expect(issuesOf(tags).map((i) => i.field)).toEqual([field]);
  });

  it("refuses a key with the aws: prefix in any case, a control character, or over 128 characters", () => {
    expect(issuesOf({ "AWS:team": "x" })[0]!.message).toContain("aws:");
    expect(issuesOf({ "te\u0007am": "x" })).toHaveLength(1);
    expect(issuesOf({ ["k".repeat(129)]: "x" })).toHaveLength(1);
  });

  it("keeps loading tags stored before the rule, whatever they hold", () => {
    expect(StoredTags.parse({ team: "ops\u202e\u0007" })).toEqual({ team: "ops\u202e\u0007" });
  });
});

describe("tags sent to EC2", () => {
  it("leaves out stored tags that do not fit EC2's rules and keeps the others", () => {
    expect(tagsByTheRules({ team: "vision", bad: "a\u0001\u001b[2Jb", "aws:x": "y" })).toEqual({ team: "vision" });
  });
});
