import { nextIrreversibleAt, urgencyRank, type Block, type HistoryEvent } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { CbmApiError } from "../src/client";
import { cbm } from "./helpers";
import { client, api, local, seedReservation, useLocalCbm } from "./local-cbm";

// cbm against local mode: the client, list and get, add and update, approve, deny, history and delete.
useLocalCbm();

describe("client", () => {
  it("follows the next-page cursor until every block is read", async () => {
    const first = await client.listPage({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.cursor).toBeTruthy();
    const all = await client.list({ limit: 2 });
    expect(new Set(all.map((b) => b.PK)).size).toBe(all.length);
    expect(all.map((b) => b.PK)).toEqual(expect.arrayContaining(["llm-pretrain", "finetune-eval", "partner-shared", "west-cluster"]));
  });

  it("turns an API error into a CbmApiError carrying status, code, field issues", async () => {
    const err = await client
      .create({ capacityReservationId: "cr-0000000000000e001", region: "us-east-1", policy: { lookaheadHours: 99_999 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CbmApiError);
    const e = err as CbmApiError;
    expect(e.status).toBe(400);
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.issues.map((i) => i.field)).toContain("policy.lookaheadHours");
    const missing = (await client.get("no-such-block").catch((x: unknown) => x)) as CbmApiError;
    expect([missing.status, missing.code]).toEqual([404, "NOT_FOUND"]);
  });

  it("serves the OpenAPI document", async () => {
    const doc = await client.openapi();
    expect(String(doc.openapi)).toMatch(/^3\.1/);
  });
});

describe("cbm list / get", () => {
  it("lists as JSON in the console's order: by the time to the next irreversible event, finished blocks last", async () => {
    const r = await cbm(["list", "--json", ...api]);
    expect(r.code).toBe(0);
    const blocks = r.json<Block[]>();
    const now = local.clock.now();
    const ranks = blocks.map((b) => urgencyRank(b, now));
    const sorted = [...ranks].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(ranks).toEqual(sorted);
    // partner-shared is not owned: CBM cannot extend it, so its instances' termination is its next irreversible event.
    expect(nextIrreversibleAt(blocks.find((b) => b.PK === "partner-shared")!, now)).toBe(
      Date.parse(blocks.find((b) => b.PK === "partner-shared")!.endDate!) - 30 * 60_000,
    );
    expect(r.stderr).toBe("");
  });

  it("prints a table: status, end date, time left", async () => {
    const r = await cbm(["list", ...api]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PK\s+NAME\s+STATUS\s+REGION\s+END \(UTC\)\s+TIME LEFT$/);
    expect(lines[1]).toMatch(/^llm-pretrain\s+llm-pretrain\s+awaiting-approval\s+us-east-1\s+\d{4}-\d\d-\d\d 11:30Z\s+1d \d+h$/);
  });

  it("gets one block, or exits 3 with the API's message for a missing one", async () => {
    const ok = await cbm(["get", "llm-pretrain", "--json", ...api]);
    expect(ok.code).toBe(0);
    expect(ok.json<Block>().capacityReservationId).toBe("cr-0000000000000d001");
    const human = await cbm(["get", "llm-pretrain", ...api]);
    expect(human.stdout).toMatch(/Status:\s+awaiting-approval/);
    const missing = await cbm(["get", "nope", ...api]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/No managed block with PK 'nope'.*HTTP 404/);
    expect(missing.stdout).toBe("");
  });

  it("puts a currency on every amount of a block, 'no cap' where a limit is absent", async () => {
    const b = (await cbm(["get", "llm-pretrain", "--json", ...api])).json<Block>();
    const human = (await cbm(["get", "llm-pretrain", ...api])).stdout;

    const cur = b.policy.currency;
    expect(human).toMatch(new RegExp(`spent ${b.spent.replace(".", "\\.")} ${cur}`));
    expect(human).toMatch(new RegExp(`Approval asked:\\s+\\S+ \\S+, fee \\d+(\\.\\d+)? ${cur}`));
    expect(human).toMatch(b.policy.maxUpfrontFee ? new RegExp(`max fee ${b.policy.maxUpfrontFee} ${cur}`) : /max fee no cap/);
    expect(human).not.toMatch(/none USD/);
    expect(human).toMatch(/^Next:\s+Extends by \S+ \S+ for \S+ USD once a person approves\.$/m);
  });

  it("shows a block's sampled usage: instances running, interconnect, idleness and the last 24 h", async () => {
    const human = await cbm(["get", "llm-pretrain", ...api]);
    const json = (await cbm(["get", "trn2-experiments", "--json", ...api])).json<{ usage: { running: number; idleSince: string } }>();

    expect(human.stdout).toMatch(/Usage:\s+2 of 2 running \(active\) at \d{4}-\d\d-\d\d \d\d:\d\dZ/);
    expect(human.stdout).toMatch(/Interconnect:\s+ok since /);
    expect(human.stdout).toMatch(/Idle:\s+no/);
    expect(human.stdout).toMatch(/Last 24 h:\s+\d+(\.\d+)? instance-hours over 1 sampled hour, peak 2 running/);
    expect(json.usage).toMatchObject({ running: 0, idleSince: expect.any(String) });
  });
});

describe("cbm add / update", () => {
  it("adds a block with a policy from flags", async () => {
    const id = seedReservation("cr-0000000000000a001");
    const r = await cbm([
      "add",
      "--reservation",
      id,
      "--pk",
      "add-test",
      "--name",
      "Added",
      "--region",
      "us-east-1",
      "--extend-by-days",
      "14",
      "--lookahead-hours",
      "24",
      "--no-require-approval",
      "--max-fee",
      "9000.50",
      "--budget",
      "20000",
      "--max-extensions",
      "2",
      "--json",
      ...api,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const b = r.json<Block>();
    expect(b).toMatchObject({ PK: "add-test", name: "Added", region: "us-east-1", capacityReservationId: id });
    expect(b.policy).toMatchObject({
      extendByDays: 14,
      lookaheadHours: 24,
      requireApproval: false,
      maxUpfrontFee: "9000.50",
      budget: "20000",
      maxExtensions: 2,
    });
  });

  it("refuses a duplicate with exit 4", async () => {
    const id = "cr-0000000000000a001"; // added as add-test by the test before
    const again = await cbm(["add", "--reservation", id, "--pk", "add-test", "--region", "us-east-1", ...api]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already exists/);
  });

  it("rejects bad flags before sending anything (exit 2)", async () => {
    const ladder = await cbm(["add", "--reservation", "cr-0000000000000a001", "--extend-by-days", "15", ...api]);
    expect(ladder.code).toBe(2);
    expect(ladder.stderr).toMatch(/ladder/);
    const noRes = await cbm(["add", ...api]);
    expect(noRes.code).toBe(2);
    const unknown = await cbm(["add", "--reservation", "cr-0000000000000a001", "--colour", "red", ...api]);
    expect(unknown.code).toBe(2);
  });

  it("shows the API's field errors (exit 1) without a stack trace", async () => {
    const apiSide = await cbm([
      "add",
      "--reservation",
      "cr-0000000000000a009",
      "--region",
      "us-east-1",
      "--lookahead-hours",
      "5000",
      ...api,
    ]);
    expect(apiSide.code).toBe(1);
    expect(apiSide.stderr).toMatch(/HTTP 400, VALIDATION_FAILED/);
    expect(apiSide.stderr).toMatch(/- policy\.lookaheadHours: /);
    expect(apiSide.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("updates only the given policy fields", async () => {
    const r = await cbm(["update", "add-test", "--max-fee", "500", "--pause", "--json", ...api]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<Block>().policy).toMatchObject({ maxUpfrontFee: "500", enabled: false, extendByDays: 14, budget: "20000" });
  });

  it("clears a limit given as 'none'", async () => {
    const cleared = await cbm(["update", "add-test", "--max-fee", "none", "--resume", "--json", ...api]);
    expect(cleared.json<Block>().policy.maxUpfrontFee).toBeUndefined();
    expect(cleared.json<Block>().policy.enabled).toBe(true);
  });

  it("refuses an update with no field (exit 2) or of a missing block (exit 3)", async () => {
    expect((await cbm(["update", "add-test", ...api])).code).toBe(2);
    expect((await cbm(["update", "missing-pk", "--budget", "1", ...api])).code).toBe(3);
  });
});

describe("cbm approve / deny / history / delete", () => {
  it("approves with a comment, recorded with the actor", async () => {
    const a = await cbm(["approve", "llm-pretrain", "--comment", "budget ok", "--actor", "alice", "--json", ...api]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json<Block>().approval).toMatchObject({ by: "alice", comment: "budget ok" });
    expect(a.json<{ verdictNote: string }>().verdictNote).toMatch(
      /^Approved the extension for the window ending \S+, which CBM asked about\. It covers /,
    );
    expect(a.stderr).not.toMatch(/warning/);
  });

  it("refuses a deny when nothing is asked, saying when CBM asks, naming --next", async () => {
    const d = await cbm(["deny", "next-week-run", ...api]);
    expect(d.code).not.toBe(0);
    expect(d.stderr).toMatch(/Nothing is being asked for next-week-run/);
    expect(d.stderr).toMatch(/CBM asks about the window ending \S+ (from \S+|at the next scheduler tick)/);
    expect(d.stderr).toMatch(/cbm deny next-week-run --next/);
  });

  it("denies with the actor from CBM_ACTOR", async () => {
    const d = await cbm(["deny", "next-week-run", "--next", "--comment", "too dear", "--json", ...api], { env: { CBM_ACTOR: "bob" } });
    expect(d.code, d.stderr).toBe(0);
    expect(d.json<Block>().denial).toMatchObject({ by: "bob" });
  });

  it("prints a repeated approval as nothing new, naming the window it decided", async () => {
    const again = await cbm(["approve", "llm-pretrain", "--actor", "carol", ...api]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Already approved for the window ending \S+ \(by alice at \S+\); nothing new was recorded\./);
    expect(again.stderr).not.toMatch(/warning/);
  });

  it("refuses --next together with --window as a usage error (exit 2)", async () => {
    const both = await cbm(["approve", "llm-pretrain", "--next", "--window", "2026-01-01T11:30:00Z", ...api]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--next and --window are alternatives/);
  });

  it("shows history newest first", async () => {
    const approved = await cbm(["approve", "llm-pretrain", "--actor", "alice", ...api]);
    expect(approved.code, approved.stderr).toBe(0);
    const events = (await cbm(["history", "llm-pretrain", "--json", ...api])).json<HistoryEvent[]>();
    expect(events[0]).toMatchObject({ type: "approved", actor: "alice" });
    expect(events.at(-1)).toMatchObject({ type: "created" });
  });

  it("limits history with --limit", async () => {
    expect((await cbm(["history", "llm-pretrain", "--limit", "2", "--json", ...api])).json<HistoryEvent[]>()).toHaveLength(2);
  });

  it("prints history as a table", async () => {
    await cbm(["deny", "next-week-run", "--next", ...api], { env: { CBM_ACTOR: "bob" } });
    expect((await cbm(["history", "next-week-run", ...api])).stdout).toMatch(/denied\s+bob/);
  });

  it("refuses to delete without a terminal or --yes (exit 2)", async () => {
    seedReservation("cr-0000000000000a002");
    expect((await cbm(["add", "--reservation", "cr-0000000000000a002", "--pk", "del-me", "--region", "us-east-1", ...api])).code).toBe(0);
    const refused = await cbm(["delete", "del-me", ...api]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
  });

  it("keeps the block when the answer to the question is 'n'", async () => {
    const kept = await cbm(["delete", "del-me", ...api], { isTTY: true, input: "n\n" });
    expect(kept.code).toBe(0);
    expect((await cbm(["get", "del-me", ...api])).code).toBe(0);
  });

  it("deletes with --yes, then answers 3 for the block that is gone", async () => {
    const gone = await cbm(["delete", "del-me", "--yes", "--json", ...api]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.json()).toEqual({ deleted: "del-me" });
    expect((await cbm(["get", "del-me", ...api])).code).toBe(3);
    expect((await cbm(["delete", "del-me", "--yes", ...api])).code).toBe(3);
  });
});
