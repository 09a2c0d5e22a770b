import { join } from "node:path";
import type { CapacityRequest, Notification } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { csrfOf, postForm, useBrowserWorld } from "./support/browser-world";
import { blockPurchases } from "./support/local-cbm";
import { linkIn } from "./support/web-world";

const CLOCK_START = "2031-03-03T08:00:00.000Z";
const s = useBrowserWorld(CLOCK_START);

/** Opens a capacity request that needs approval and ticks once, so the worker quotes it; its notice's link. */
async function quotedRequest(name: string): Promise<{ id: string; link: string }> {
  const created = await s.w.http<CapacityRequest>("POST", "/requests", {
    name,
    instanceType: "p5.48xlarge",
    instanceCount: 1,
    durationDays: 1,
    latestStart: "2031-03-06T12:00:00Z",
    maxUpfrontFee: "5000",
    requireApproval: true,
  });
  if (created.status !== 201) throw new Error(`opening ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  await s.w.local.tick();
  const notices = (await s.w.http<Notification[]>("GET", `/_local/outbox?pk=request:${id}`)).body;
  const link = linkIn(notices.find((n) => n.kind === "approval-request")?.body ?? "");
  if (!link) throw new Error(`no approval link for request ${id} in the outbox: ${JSON.stringify(notices)}`);
  return { id, link };
}

describe("a capacity request's approval link in a real browser", () => {
  it("approves the quoted terms once when confirmed, the worker buying exactly one block under them", async () => {
    const { id, link } = await quotedRequest("link-approved");
    const quote = (await s.w.http<CapacityRequest>("GET", `/requests/${id}`)).body.quote!;
    const before = blockPurchases(s.w.local).length;
    const page = await s.browser.context.newPage();
    await page.goto(link);
    const terms = await page.locator("dl.terms").innerText();
    expect(terms).toContain(`${quote.upfrontFee} USD`);
    expect(terms).toContain(quote.availabilityZone);
    expect(terms).toContain("1 × p5.48xlarge");
    await page.screenshot({ path: join(s.w.screenshotDir, "request-link.png") });

    await page.getByLabel(/I have read the terms/).check();
    await page.getByRole("button", { name: /Approve/ }).click();
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Thank you");
    await s.w.local.tick();
    await s.w.local.tick();
    await page.goto(link);
    const again = await page.getByRole("heading", { level: 1 }).innerText();
    await page.close();

    const bought = (await s.w.http<CapacityRequest>("GET", `/requests/${id}`)).body;
    expect(bought.purchase?.authorization).toMatchObject({
      kind: "approval",
      by: "link:outbox",
      terms: { maxUpfrontFee: quote.upfrontFee, availabilityZone: quote.availabilityZone, startDate: quote.startDate },
    });
    const purchases = blockPurchases(s.w.local).slice(before);
    expect(purchases).toHaveLength(1);
    expect(purchases[0]!.capacityReservationId).toBe(bought.purchase!.capacityReservationId);
    expect(again).toBe("This link was used already");
  });

  it("a mail scanner's GET changes nothing, and a cancelled request's link says why and buys nothing", async () => {
    const { id, link } = await quotedRequest("link-cancelled");
    const page = await s.browser.context.newPage();
    await page.goto(link);
    await page.close();
    expect((await s.w.http<CapacityRequest>("GET", `/requests/${id}`)).body.approval ?? null).toBeNull();
    const csrf = await csrfOf(link);
    await s.w.http("DELETE", `/requests/${id}`);

    const answer = await postForm(link, { csrf, confirm: "yes", action: "approve" });

    expect(answer.status).toBe(409);
    expect(await answer.text()).toContain("the request is cancelled; there is nothing to approve");
    expect((await s.w.http<CapacityRequest>("GET", `/requests/${id}`)).body).toMatchObject({ status: "cancelled", approval: null });
  });
});

describe("Decline on a capacity request's link page", () => {
  it("cancels the request as the link's recipient when confirmed, and the link then acts no more", async () => {
    const { id, link } = await quotedRequest("link-declined");
    const page = await s.browser.context.newPage();
    await page.goto(link);

    await page.getByLabel(/I have read the terms/).check();
    await page.getByRole("button", { name: "Decline" }).click();
    const heading = await page.getByRole("heading", { level: 1 }).innerText();
    const said = await page.getByRole("status").innerText();
    await page.goto(link);
    const again = await page.getByRole("heading", { level: 1 }).innerText();
    await page.close();
    await s.w.local.tick();

    expect(heading).toBe("Thank you");
    expect(said).toContain("the request is cancelled");
    expect((await s.w.http<CapacityRequest>("GET", `/requests/${id}`)).body).toMatchObject({
      status: "cancelled",
      statusReason: "Cancelled by link:outbox",
      approval: null,
    });
    expect(again).toBe("This link was used already");
  });

  it("declines nothing without the ticked box or with another page's CSRF token", async () => {
    const { id, link } = await quotedRequest("link-decline-guarded");
    const csrf = await csrfOf(link);

    const unticked = await postForm(link, { csrf, action: "deny" });
    const forged = await postForm(link, { csrf: "forged", confirm: "yes", action: "deny" });

    expect([unticked.status, forged.status]).toEqual([400, 400]);
    expect(await unticked.text()).toContain("Tick the box");
    expect((await s.w.http<CapacityRequest>("GET", `/requests/${id}`)).body.status).toBe("awaiting-approval");
  });
});
