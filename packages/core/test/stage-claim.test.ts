import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, STAGE_TAG_KEY, stageClaim, statusFor, stopNotifies } from "../src/index";
import { RUNS, anyWorld } from "./engine-worlds";
import { input, makeReservation, settings, expectKind, iso } from "./fixtures";

/* Which stage may buy for a reservation (its cbm:stage tag at EC2), and the engine's use of it. */

const stageName = fc.constantFrom("prod", "dev", "alice", "", "Prod", "prod ");
const tagMap = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.constantFrom("team", "Name", "cbm:stagex", "constructor"), fc.string({ maxLength: 5 })),
  fc.record({ [STAGE_TAG_KEY]: stageName }, { requiredKeys: [STAGE_TAG_KEY] }),
  fc.record({ [STAGE_TAG_KEY]: stageName, team: fc.constant("llm") }),
);

describe("stageClaim", () => {
  it("owns a reservation tagged for its stage", () => {
    expect(stageClaim({ [STAGE_TAG_KEY]: "prod", team: "llm" }, "prod")).toEqual({ kind: "owned" });
  });

  it("must claim an untagged reservation before buying", () => {
    expect(stageClaim({ team: "llm" }, "prod")).toEqual({ kind: "claim" });
    expect(stageClaim(undefined, "prod")).toEqual({ kind: "claim" });
  });

  it("leaves a reservation tagged for another stage alone, an empty value included", () => {
    expect(stageClaim({ [STAGE_TAG_KEY]: "dev" }, "prod")).toEqual({ kind: "other-stage", stage: "dev" });
    expect(stageClaim({ [STAGE_TAG_KEY]: "" }, "prod")).toEqual({ kind: "other-stage", stage: "" });
  });

  it("without a stage, claims nothing and buys only for what no stage claimed", () => {
    expect(stageClaim(undefined, undefined)).toEqual({ kind: "unstaged" });
    expect(stageClaim({ team: "llm" }, "")).toEqual({ kind: "unstaged" });
    expect(stageClaim({ [STAGE_TAG_KEY]: "dev" }, undefined)).toEqual({ kind: "other-stage", stage: "dev" });
  });

  it("owns exactly the reservations tagged with its (non-empty) stage and claims exactly the untagged ones", () => {
    fc.assert(
      fc.property(tagMap, fc.option(stageName, { nil: undefined }), (tags, stage) => {
        const c = stageClaim(tags, stage);
        const tag = tags && Object.hasOwn(tags, STAGE_TAG_KEY) ? tags[STAGE_TAG_KEY] : undefined;
        if (tag === undefined) expect(c.kind).toBe(stage ? "claim" : "unstaged");
        else if (stage && tag === stage) expect(c.kind).toBe("owned");
        else expect(c).toEqual({ kind: "other-stage", stage: tag });
      }),
    );
  });
});

describe("decide with a stage", () => {
  it("buys for a reservation tagged for its stage", () => {
    const d = decide(
      input({ reservation: makeReservation({ tags: { [STAGE_TAG_KEY]: "prod" } }), settings: { ...settings, stage: "prod" } }),
    );
    expectKind(d, "purchase");
  });

  const claimedByDev = () =>
    input({ reservation: makeReservation({ tags: { [STAGE_TAG_KEY]: "dev" } }), settings: { ...settings, stage: "prod" } });

  it("stops for a reservation another stage claimed, looking again later", () => {
    const i = claimedByDev();

    const d = expectKind(decide(i), "stop");

    expect(d).toMatchObject({ reason: "other-stage", retryAt: iso(i.now.getTime() + settings.recheckIntervalMs) });
  });

  it("says which stage claimed the reservation", () => {
    const d = expectKind(decide(claimedByDev()), "stop");

    expect(statusFor(d)).toEqual({ status: "not-owned", reason: 'claimed by stage "dev"; this stage ("prod") does not buy for it' });
  });

  it("tells people once about a reservation another stage claimed", () => {
    expect(stopNotifies("other-stage")).toBe(true);
  });

  it("never buys for a reservation it has not claimed", () => {
    const d = expectKind(decide(input({ settings: { ...settings, stage: "prod" } })), "stop");
    expect(d.reason).toBe("unclaimed");
  });

  it("tells nobody about a reservation it has not claimed yet (the tick claims it first)", () => {
    expect(stopNotifies("unclaimed")).toBe(false);
  });

  it("without a stage, buys for an untagged reservation as before, never for a stage's", () => {
    expectKind(decide(input({ reservation: makeReservation({ tags: { team: "llm" } }) })), "purchase");
    const d = expectKind(decide(input({ reservation: makeReservation({ tags: { [STAGE_TAG_KEY]: "dev" } }) })), "stop");
    expect(statusFor(d).reason).toBe('claimed by stage "dev"; CBM without a stage does not buy for it');
  });

  it("buys only for reservations tagged for its own stage (untagged ones when it has none), in every generated world", () => {
    fc.assert(
      fc.property(anyWorld, tagMap, stageName, (w, tags, stage) => {
        const r = w.input.reservation && { ...w.input.reservation, ...(tags ? { tags } : {}) };
        const d = decide({ ...w.input, reservation: r, settings: { ...w.input.settings, stage } });
        if (d.kind === "purchase") expect(r?.tags?.[STAGE_TAG_KEY]).toBe(stage || undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it("with its own tag, decides exactly as without a stage (claiming changes nothing else)", () => {
    fc.assert(
      fc.property(anyWorld, stageName.filter(Boolean), (w, stage) => {
        const r = w.input.reservation && { ...w.input.reservation, tags: { [STAGE_TAG_KEY]: stage } };
        const staged = decide({ ...w.input, reservation: r, settings: { ...w.input.settings, stage } });
        expect(staged).toEqual(decide(w.input));
      }),
      { numRuns: RUNS },
    );
  });
});
