import type { CapacityRequest } from "@cbm/core";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useConsole } from "./support/browser-world";
import type { WebWorld } from "./support/web-world";

/*
 * Issue 22, finding 4, in Chromium: the console had no requests page; a request could be approved or declined only
 * with the CLI or the API. The requests page lists them, waiting ones first, with Approve (the exact quote) and
 * Decline.
 */

let w: WebWorld;
let page: Page;

useConsole("2031-07-01T09:00:00.000Z", (started) => ({ w, page } = started), { signInAs: "finn" });

async function openRequest(name: string): Promise<CapacityRequest> {
  const latestStart = new Date(w.local.clock.now().getTime() + 5 * 86_400_000).toISOString();
  const res = await w.http<CapacityRequest>("POST", "/requests", {
    name,
    instanceType: "trn1.32xlarge",
    instanceCount: 1,
    durationDays: 1,
    latestStart,
    maxPricePerInstanceHour: "10",
  });
  if (res.status !== 201) throw new Error(`opening ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

describe("the console's requests page", () => {
  let wanted: CapacityRequest;
  let unwanted: CapacityRequest;

  it("approves a quoted request, recorded as the person", async () => {
    wanted = await openRequest("console-wanted");
    unwanted = await openRequest("console-unwanted");
    await w.local.tick();
    expect((await w.http<CapacityRequest>("GET", `/requests/${wanted.id}`)).body.status).toBe("awaiting-approval");

    await page.getByRole("link", { name: "Requests" }).click();
    await page.waitForURL(/\/console\/requests$/);
    await page.getByRole("button", { name: "Approve console-wanted" }).click();
    await expect(page.getByRole("status").innerText()).resolves.toMatch(/^Approved: 1 × trn1.32xlarge/);
    const approved = (await w.http<CapacityRequest>("GET", `/requests/${wanted.id}`)).body;
    expect(approved.approval).toMatchObject({ by: "console:finn" });
  });

  it("declines another, recorded as the person", async () => {
    await page.goto(`${w.local.apiUrl}/console/requests`);
    await page.getByRole("button", { name: "Decline console-unwanted" }).click();
    await expect(page.getByRole("status").innerText()).resolves.toContain("Declined: request console-unwanted is cancelled");

    const declined = (await w.http<CapacityRequest>("GET", `/requests/${unwanted.id}`)).body;
    expect(declined).toMatchObject({ status: "cancelled", statusReason: "Cancelled by console:finn" });
  });
});
