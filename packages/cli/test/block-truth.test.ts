import type { Block } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { cbm } from "./helpers";
import { api, client, local, seedReservation, useLocalCbm } from "./local-cbm";

/*
 * Issue 22, through the CLI and the API against local mode: the "what CBM will do next" sentence was in the console
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
