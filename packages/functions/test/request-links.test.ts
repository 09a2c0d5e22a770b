import { describe, expect, it } from "vitest";
import type { RequestLinkClaims } from "@cbm/core";
import { createDynamoLinkStore } from "../src/adapters/dynamo-link-store";
import { createUlidIds } from "../src/adapters/ids";
import { createApprovalLinkIssuer } from "../src/approvals/links/link-issuer";
import { createApprovalLinks } from "../src/approvals/links/approval-links";
import { createLinks } from "../src/approvals/links/links";
import { createRequestLinks } from "../src/approvals/links/request-links";
import { blockPurchases, useRequestWorld } from "./support/request-world";

/*
 * A capacity request approved from the signed link in its quote notice: the worker against the EC2 emulator and
 * DynamoDB Local, the link through the same use cases the web handler serves at /link/{token}.
 */
const w = useRequestWorld();
const secret = { current: async () => "request-link-test-key-0123456789abcdef" };

function setUp() {
  const ids = createUlidIds(w.clock);
  const links = createDynamoLinkStore({ client: w.docClient, tableName: w.tableName });
  const issuer = createApprovalLinkIssuer({ secret, ids, apiUrl: "https://cbm.example", recipient: "finance@example.com" });
  const blocks = createApprovalLinks({ store: w.store, history: w.history, links, clock: w.clock, ids, secret });
  const requests = createRequestLinks({ requests: w.requests, links, clock: w.clock, secret });
  return { issuer, desk: createLinks({ secret, blocks, requests }) };
}

/** Opens a request needing approval, lets the worker quote it, and returns the token of the notice's link. */
async function quoted(issuer: ReturnType<typeof setUp>["issuer"]): Promise<{ id: string; token: string }> {
  const id = await w.open({ requireApproval: true });
  await w.run({ approvalLinks: issuer });
  const notice = w.outbox
    .list()
    .filter((n) => n.kind === "approval-request")
    .at(-1)!;
  const token = /https:\/\/cbm\.example\/link\/(\S+)/.exec(notice.body)![1]!;
  return { id, token };
}

async function approveVia(desk: ReturnType<typeof setUp>["desk"], token: string) {
  const v = await desk.view(token);
  const csrf = v.kind === "ready" ? v.csrf : "none";
  return desk.answer(token, { action: "approve", confirmed: true, csrf });
}

describe("a request approval link", () => {
  it("is the first thing in the quote notice, changing nothing when opened", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);

    const v = await desk.view(token);

    const body = w.outbox.list().find((n) => n.kind === "approval-request")!.body;
    expect(body.split("\n")[0]).toBe("Review and approve here:");
    expect(body).toMatch(/cbm request approve/);
    expect(v).toMatchObject({ kind: "ready", terms: { requestId: id, maxUpfrontFee: "755.14", availabilityZone: "us-east-1a" } });
    expect((await w.api.get(id)).approval).toBeFalsy();
  });

  it("lets the worker buy one block under the link recipient's approval of exactly the quoted terms", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);

    const outcome = await approveVia(desk, token);
    const report = await w.run({ approvalLinks: issuer });

    expect(outcome.kind).toBe("done");
    expect(report.statuses[id]).toBe("payment-pending");
    expect((await w.api.get(id)).purchase?.authorization).toMatchObject({
      kind: "approval",
      by: "link:finance@example.com",
      terms: { requestId: id, maxUpfrontFee: "755.14", availabilityZone: "us-east-1a", startDate: "2026-11-24T11:30:00.000Z" },
    });
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });

  it("acts once: a replayed form says the link was used, changing nothing", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);
    const v = await desk.view(token);
    const csrf = v.kind === "ready" ? v.csrf : "";
    await desk.answer(token, { action: "approve", confirmed: true, csrf });
    const after = await w.api.get(id);

    const replay = await desk.answer(token, { action: "approve", confirmed: true, csrf, justification: "again" });

    expect(replay).toMatchObject({ kind: "used", use: { action: "approved", by: "link:finance@example.com" } });
    expect((await w.api.get(id)).version).toBe(after.version);
  });

  it("changes nothing once the request was re-quoted at another price, saying the quote changed", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);
    w.emu.control.setPrice({ instanceType: "p5.48xlarge", hourlyRate: "40" });
    w.emu.control.advance({ minutes: 5 });
    await w.run({ approvalLinks: issuer });

    const outcome = await approveVia(desk, token);

    expect(outcome).toMatchObject({
      kind: "superseded",
      reason: expect.stringMatching(/the quote changed: CBM now asks for .*960.00 USD/),
    });
    expect((await w.api.get(id)).approval).toBeFalsy();
    expect(blockPurchases(w.emu)).toEqual([]);
  });

  it("changes nothing once the request's limits no longer allow the quote, naming the limit", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);
    // No route edits a request's limits yet; the store write stands for one, as the worker would then read it.
    const open = (await w.requests.get(id))!;
    await w.requests.update({ ...open, limits: { ...open.limits, maxUpfrontFee: "700.00" } }, open.version);

    const outcome = await approveVia(desk, token);

    expect(outcome).toMatchObject({
      kind: "superseded",
      reason: expect.stringMatching(/^the quoted offering no longer fits the request: .*755.14 USD is above maxUpfrontFee 700.00/),
    });
    expect((await w.api.get(id)).approval).toBeFalsy();
    expect((await desk.view(token)).kind).toBe("superseded"); // not "used": the single-use record was not written
  });

  it("changes nothing once expired (a day at most)", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);
    const v = await desk.view(token);
    w.emu.control.advance({ hours: 25 });

    const outcome = await desk.answer(token, { action: "approve", confirmed: true, csrf: v.kind === "ready" ? v.csrf : "" });

    expect(outcome.kind).toBe("expired");
    expect((await w.api.get(id)).approval).toBeFalsy();
  });

  it("changes nothing for a cancelled request", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);
    await w.api.cancel(id, { actor: "alice" });

    const outcome = await approveVia(desk, token);

    expect(outcome).toMatchObject({ kind: "superseded", reason: "the request is cancelled; there is nothing to approve" });
    expect((await w.api.get(id)).approval).toBeFalsy();
  });

  it("treats a forged or altered token as invalid", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);
    const [body, mac] = token.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as RequestLinkClaims;
    const altered = `${Buffer.from(JSON.stringify({ ...claims, terms: { ...claims.terms, maxUpfrontFee: "9999" } })).toString("base64url")}.${mac}`;
    const forged = await createApprovalLinkIssuer({
      secret: { current: async () => "someone-elses-key-0123456789abcdef" },
      ids: createUlidIds(w.clock),
      apiUrl: "https://cbm.example",
      recipient: "mallory",
    }).linkFor({ subject: "request", terms: claims.terms, now: w.clock.now() });

    const outcomes = [await approveVia(desk, altered), await approveVia(desk, forged.split("/link/")[1]!)];

    expect(outcomes.map((o) => o.kind)).toEqual(["invalid", "invalid"]);
    expect((await w.api.get(id)).approval).toBeFalsy();
  });

  it("refuses a form without the page's CSRF token or the ticked box", async () => {
    const { issuer, desk } = setUp();
    const { id, token } = await quoted(issuer);
    const v = await desk.view(token);
    const csrf = v.kind === "ready" ? v.csrf : "";

    const outcomes = [
      await desk.answer(token, { action: "approve", confirmed: true, csrf: "forged" }),
      await desk.answer(token, { action: "approve", confirmed: false, csrf }),
    ];

    expect(outcomes.map((o) => o.kind)).toEqual(["refused", "refused"]);
    expect((await w.api.get(id)).approval).toBeFalsy();
  });
});
