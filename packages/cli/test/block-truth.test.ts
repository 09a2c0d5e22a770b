import { pricePerInstanceHour, type Block, type CapacityRequest, type SpendReport } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { cbm } from "./helpers";
import { api, client, local, seedReservation, useLocalCbm } from "./local-cbm";

/*
 * Issue 22, findings 2 and 3, through the CLI and the API against local mode: a block a capacity request bought
 * showed spent 0 while the spend report showed its fee, and the "what CBM will do next" sentence was in the console
 * and `cbm get` but not in the API's block read.
 */
useLocalCbm();

type BlockRead = Block & { outlook?: { kind: string; text: string } };

async function http<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${local.apiUrl}${path}`, {
    method,
    headers: { "x-api-key": local.apiKey, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Opens a request that buys at once without approval, and runs the scheduler until its block is paid and managed. */
async function buyBlock(name: string, budget: string): Promise<CapacityRequest> {
  const latestStart = new Date(local.clock.now().getTime() + 3 * 86_400_000).toISOString();
  const opened = await http<CapacityRequest>("POST", "/requests", {
    name,
    instanceType: "p5.48xlarge",
    instanceCount: 1,
    durationDays: 1,
    latestStart,
    maxUpfrontFee: "10000",
    budget,
    requireApproval: false,
    policy: { extendByDays: 1, requireApproval: true },
  });
  if (opened.status !== 201) throw new Error(`opening ${name}: ${opened.status} ${JSON.stringify(opened.body)}`);
  for (let i = 0; i < 5; i++) {
    await local.tick();
    local.emulator!.control.advance({ minutes: 6 });
  }
  const req = (await http<CapacityRequest>("GET", `/requests/${name}`)).body;
  if (req.status !== "fulfilled") throw new Error(`request ${name} is ${req.status}: ${req.statusReason}`);
  return req;
}

describe("a block a capacity request bought", () => {
  it("counts its own fee in spent in GET /{PK}, GET /, cbm get and cbm list, once, within its budget", async () => {
    const req = await buyBlock("bought-spend", "5000");
    const fee = req.purchase!.upfrontFee;

    const read = (await http<BlockRead>("GET", "/bought-spend")).body;
    const listed = (await http<Block[]>("GET", "/?limit=100")).body.find((b) => b.PK === "bought-spend");
    const shown = await cbm(["get", "bought-spend", ...api]);
    const cliListed = (await cbm(["list", "--json", ...api])).json<Block[]>().find((b) => b.PK === "bought-spend");
    const report = (await http<SpendReport>("GET", "/reports/spend")).body;

    expect(read.spent).toBe(fee);
    expect(listed?.spent).toBe(fee);
    expect(cliListed?.spent).toBe(fee);
    // The request's budget covers the block and then its extensions: what is left for extensions is unchanged.
    expect(read.policy.budget).toBe("5000");
    expect(shown.stdout).toContain(`budget 5000 USD, spent ${fee} USD`);
    // The spend report counts the purchase once: as the block's fee, not again as spend of another kind.
    const row = report.blocks.find((b) => b.pk === "bought-spend")!;
    expect([row.blockFee, row.extensionSpend, row.total]).toEqual([fee, "0", fee]);
    // Per instance-hour only over hours CBM bought and knows the fee of: none for a block it bought nothing for.
    expect(row.pricePerInstanceHour).toBe(pricePerInstanceHour(fee, 1, 24));
    expect(report.blocks.find((b) => b.pk === "partner-shared")?.pricePerInstanceHour).toBeUndefined();
  });
});

describe("GET /{PK} and cbm get", () => {
  it("carry the same 'what CBM will do next' sentence, and a whole record PUT back is still accepted", async () => {
    const id = seedReservation("cr-0000000000000f0a1", { days: 20 });
    await client.create({ PK: "outlook-read", capacityReservationId: id, region: "us-east-1", policy: { extendByDays: 1 } });
    await local.tick();

    const read = await http<BlockRead>("GET", "/outlook-read");
    const shown = await cbm(["get", "outlook-read", ...api]);
    const asJson = (await cbm(["get", "outlook-read", "--json", ...api])).json<BlockRead>();
    const putBack = await http("PUT", "/outlook-read", read.body);

    expect(read.body.outlook).toMatchObject({ kind: "needs-you", text: expect.stringMatching(/^When the window opens/) });
    expect(shown.stdout).toContain(`Next:`);
    expect(
      shown.stdout
        .split("\n")
        .find((l) => l.startsWith("Next:"))
        ?.replace(/^Next:\s+/, ""),
    ).toBe(read.body.outlook!.text);
    expect(asJson.outlook).toEqual(read.body.outlook);
    expect(putBack.status).toBe(200);
  });
});
