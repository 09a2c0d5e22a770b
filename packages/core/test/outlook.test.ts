import { describe, expect, it } from "vitest";
import { byUrgency, outlook } from "../src/index";
import { DAY, END, HOUR, makeBlock } from "./fixtures";

const at = (msBeforeEnd: number) => new Date(Date.parse(END) - msBeforeEnd);
const verdict = (by: string, comment?: string) => ({ window: END, by, at: "2025-05-02T00:00:00.000Z", ...(comment ? { comment } : {}) });

describe("what CBM will do next, one sentence for every surface", () => {
  it("says a window denied in advance will not be extended, naming who denied it and how to approve anyway", () => {
    const b = makeBlock({ status: "waiting", denial: verdict("cli:bob") }, { requireApproval: true });

    const o = outlook(b, at(5 * DAY));

    expect(o.kind).toBe("ends");
    expect(o.text).toBe(
      `Will not extend the window ending ${END}: denied by cli:bob. To extend anyway, approve it (Approve on the block page, or cbm approve blk-1 --next).`,
    );
  });

  it("says an idle skip is CBM's own decision, with its reason", () => {
    const b = makeBlock({ denial: verdict("cbm:idle", "nothing has run in it for 24 h") });

    expect(outlook(b, at(5 * DAY)).text).toMatch(
      /^Will not extend the window ending \S+: skipped by CBM because the block is idle \(nothing has run/,
    );
  });

  it("says an approval given in advance buys when the window opens, with how to stop it", () => {
    const b = makeBlock({ status: "waiting", approval: verdict("fin") }, { requireApproval: true, lookaheadHours: 48 });

    expect(outlook(b, at(5 * DAY))).toEqual({
      kind: "extends",
      text: `Approved by fin for the window ending ${END}: CBM buys when the window opens (48 h before the end). To stop it, deny it (cbm deny blk-1 --next).`,
    });
  });

  it("says how to change a block that stops on its budget or is paused", () => {
    expect(outlook(makeBlock({ status: "budget-exhausted" }), at(DAY)).text).toMatch(
      /To change it: raise the budget \(cbm update blk-1 --budget AMOUNT\)/,
    );
    expect(outlook(makeBlock({}, { enabled: false }), at(DAY)).text).toMatch(/cbm update blk-1 --resume/);
  });
});

describe("one urgency order: the time to the next irreversible event", () => {
  it("lists a block 27 h from its end with no offering above one that ends in 5 days without extending", () => {
    const now = new Date(Date.parse(END) - 5 * DAY);
    const endsIn5Days = makeBlock({ PK: "a-ends", status: "not-owned", endDate: END });
    const noOffering = makeBlock({ PK: "b-no-offer", status: "no-offering", endDate: new Date(now.getTime() + 27 * HOUR).toISOString() });
    const finished = makeBlock({ PK: "c-gone", status: "expired", endDate: new Date(now.getTime() - DAY).toISOString() });

    const order = [finished, endsIn5Days, noOffering].sort(byUrgency(now)).map((b) => b.PK);

    expect(order).toEqual(["b-no-offer", "a-ends", "c-gone"]);
  });

  it("puts an automatic purchase due now above a block that only needs a person days later", () => {
    const now = at(10 * DAY);
    const autoBuy = makeBlock({ PK: "auto", endDate: END }, { requireApproval: false, lookaheadHours: 14 * 24 });
    const asks = makeBlock({ PK: "asks", endDate: new Date(now.getTime() + 3 * DAY).toISOString() }, { requireApproval: true });

    expect([asks, autoBuy].sort(byUrgency(now)).map((b) => b.PK)).toEqual(["auto", "asks"]);
  });
});
