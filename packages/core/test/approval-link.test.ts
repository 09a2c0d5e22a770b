import { describe, expect, it } from "vitest";
import { applyVerdict, InvalidStateError, linkState, ValidationError, type Block, type LinkUse } from "../src/index";
import { CR, END, DAY, HOUR, askedBlock, intent as anIntent, plus, quoteLinkClaims } from "./fixtures";

const now = new Date(Date.parse(END) - 30 * HOUR);
const asked = (fee?: string): Block => askedBlock(now, fee === undefined ? {} : { fee });
const claims = quoteLinkClaims(asked());

describe("approval link claims and state", () => {
  it("binds the link to the registration, reservation, window and exact quote, until CBM's window closes", () => {
    expect(claims).toMatchObject({
      pk: "blk-1",
      registrationId: "reg-1",
      capacityReservationId: CR,
      window: END,
      durationHours: 24,
      upfrontFee: "1510.27",
      currency: "USD",
      to: "fin@example.com",
    });
    expect(claims.expiresAt).toBe(new Date(Date.parse(END) - 65 * 60_000).toISOString());
  });

  it("is ready while the block asks for exactly these terms, with terms that are the quote itself", () => {
    const s = linkState(claims, asked(), now, undefined);
    expect(s.kind).toBe("ready");
    if (s.kind === "ready")
      expect(s.terms).toMatchObject({
        basis: "quote",
        durationsHours: [24],
        maxUpfrontFee: "1510.27",
        currency: "USD",
        registrationId: "reg-1",
        window: END,
      });
  });

  it("is superseded once a newer notice quoted another fee", () => {
    const s = linkState(claims, asked("1600.00"), now, undefined);
    expect(s).toMatchObject({ kind: "superseded", reason: expect.stringMatching(/terms changed: the current quote is 1600.00 USD/) });
  });

  it("is superseded when the block was deleted, or registered again under the same PK", () => {
    expect(linkState(claims, undefined, now, undefined)).toMatchObject({ kind: "superseded", reason: expect.stringMatching(/deleted/) });
    expect(linkState(claims, { ...asked(), registrationId: "reg-2" }, now, undefined)).toMatchObject({
      kind: "superseded",
      reason: expect.stringMatching(/registered again/),
    });
  });

  it("is superseded when the window's extension was bought already", () => {
    const bought = { ...asked(), lastPurchaseWindow: END, status: "payment-pending" as const };
    expect(linkState(claims, bought, now, undefined)).toMatchObject({
      kind: "superseded",
      reason: expect.stringMatching(/bought already/),
    });
  });

  it("asks to retry while a purchase's outcome is being settled", () => {
    const intent = anIntent({ id: "i", offeringId: "cbe-1", durationHours: 24, upfrontFee: "1510.27", createdAt: now.toISOString() });
    expect(linkState(claims, { ...asked(), intent }, now, undefined).kind).toBe("retry");
  });

  it("has expired once the window's last call passed", () => {
    expect(linkState(claims, asked(), new Date(claims.expiresAt), undefined).kind).toBe("expired");
  });

  it("stays used once it was used", () => {
    const use: LinkUse = {
      tokenId: claims.id,
      pk: "blk-1",
      action: "approved",
      by: "link:fin@example.com",
      at: now.toISOString(),
      expiresAt: claims.expiresAt,
    };
    expect(linkState(claims, asked(), now, use)).toEqual({ kind: "used", use });
  });
});

describe("verdicts with given terms and required justification", () => {
  it("records the given terms as they are, not a quote recomputed from the block", () => {
    const s = linkState(claims, asked(), now, undefined);
    if (s.kind !== "ready") throw new Error("not ready");
    const { block } = applyVerdict(asked("9999.00"), "approved", { by: "link:fin@example.com", terms: s.terms }, now);
    expect(block.approval!.terms!.maxUpfrontFee).toBe("1510.27");
  });

  it("refuses given terms of another window", () => {
    const s = linkState(claims, asked(), now, undefined);
    if (s.kind !== "ready") throw new Error("not ready");
    expect(() => applyVerdict(asked(), "approved", { by: "x", terms: { ...s.terms, window: plus(END, DAY) } }, now)).toThrow(
      InvalidStateError,
    );
  });

  it("requires a justification for approvals and denials when the policy says so", () => {
    const strict = { ...asked(), policy: { ...asked().policy, requireJustification: true } };
    expect(() => applyVerdict(strict, "approved", { by: "x" }, now)).toThrow(ValidationError);
    expect(() => applyVerdict(strict, "denied", { by: "x", comment: "  " }, now)).toThrow(/justification/);
    expect(applyVerdict(strict, "denied", { by: "x", comment: "done early" }, now).block.denial).toMatchObject({ comment: "done early" });
  });
});
