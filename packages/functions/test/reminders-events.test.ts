import { beforeAll, describe, expect, it } from "vitest";
import type { Context } from "aws-lambda";
import type { Notification, Notifier } from "@cbm/core";
import { createDynamoBlockStore } from "../src/adapters/dynamo-block-store";
import { createDynamoReminderLog } from "../src/adapters/dynamo-reminder-log";
import { createNoticesHandler } from "../src/notices/create-notices-handler";
import { verifyLink } from "../src/approvals/links/link-token";
import { openJson, sealJson } from "../src/approvals/links/signing";
import { createApprovalLinkIssuer } from "../src/approvals/links/link-issuer";
import { createExpiryReminders } from "../src/notices/expiry-reminders";
import { approvalNotification } from "../src/tick/notifications";
import { crId, fixedClock, makeBlock, sequentialIds } from "./support/blocks";
import { freshTable } from "./support/dynamo";

const END = "2026-04-20T11:30:00.000Z";
const HOUR = 3_600_000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function outbox(): Notifier & { sent: Notification[]; failNext: number } {
  const o = {
    canReachApprover: true,
    sent: [] as Notification[],
    failNext: 0,
    async send(n: Notification) {
      if (o.failNext > 0) {
        o.failNext--;
        throw new Error("SNS down");
      }
      o.sent.push(n);
    },
  };
  return o;
}

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable("remind");
});

describe("expiry reminders", () => {
  it("reminds about every block ending soon, each offset once, including blocks CBM will not extend", async () => {
    const store = createDynamoBlockStore(table);
    const clock = fixedClock(new Date(Date.parse(END) - 6 * 24 * HOUR).toISOString());
    const denied = await store.create(makeBlock({ PK: `denied-${crId().slice(-5)}`, endDate: END, status: "denied" }));
    const paused = await store.create(
      makeBlock({ PK: `paused-${crId().slice(-5)}`, endDate: END, status: "paused", policy: { ...makeBlock().policy, enabled: false } }),
    );
    const n = outbox();
    // Two containers (two ticks at once) share the table, not their memory.
    const a = createExpiryReminders({ store, log: createDynamoReminderLog(table), notifier: n, clock, everyMs: 0 });
    const b = createExpiryReminders({ store, log: createDynamoReminderLog(table), notifier: n, clock, everyMs: 0 });

    await Promise.all([a.sweep(), b.sweep(), a.sweep()]);
    const mine = () => n.sent.filter((x) => x.pk === denied.PK || x.pk === paused.PK);
    expect(
      mine()
        .map((x) => x.key)
        .sort(),
    ).toEqual([`${denied.PK}#${END}#reminder-7d`, `${paused.PK}#${END}#reminder-7d`]);
    expect(mine().find((x) => x.pk === denied.PK)!.body).toMatch(
      /Will not extend: a person denied this window[\s\S]*Checkpoint your jobs before 2026-04-20T11:00:00.000Z/,
    );

    clock.set(new Date(Date.parse(END) - 90 * 60_000).toISOString());
    await a.sweep();
    await b.sweep();
    expect(
      mine()
        .map((x) => x.key.split("#").pop())
        .sort(),
    ).toEqual(["reminder-2h", "reminder-2h", "reminder-7d", "reminder-7d"]);
  });

  it("gives a reminder back when it could not be sent, so a later sweep sends it", async () => {
    const store = createDynamoBlockStore(table);
    const clock = fixedClock(new Date(Date.parse(END) - 20 * HOUR).toISOString());
    const block = await store.create(makeBlock({ PK: `flaky-${crId().slice(-5)}`, endDate: END, status: "awaiting-approval" }));
    const n = outbox();
    const r = createExpiryReminders({ store, log: createDynamoReminderLog(table), notifier: n, clock, everyMs: 0, logger: silent });
    n.failNext = 1_000;
    await r.sweep();
    n.failNext = 0;
    await r.sweep();
    expect(n.sent.filter((x) => x.pk === block.PK).map((x) => x.key)).toEqual([`${block.PK}#${END}#reminder-24h`]);
  });
});

describe("approval notices", () => {
  it("put the signed link first; the token carries exactly the quoted terms for the notified address", async () => {
    const secret = { current: async () => "k".repeat(48) };
    const block = makeBlock({ PK: "llm", registrationId: "reg-1", endDate: END, instanceCount: 2, instanceType: "p5.48xlarge" });
    const offer = {
      offeringId: "cbe-9",
      capacityReservationId: block.capacityReservationId,
      durationHours: 24,
      startDate: END,
      endDate: "2026-04-21T11:30:00.000Z",
      upfrontFee: "1510.27",
      currencyCode: "USD",
    };
    const link = await createApprovalLinkIssuer({
      secret,
      ids: sequentialIds("LNK"),
      apiUrl: "https://api.example/prod/",
      recipient: "fin@example.com",
    }).linkFor({ subject: "block", block, window: END, offering: offer });
    const n = approvalNotification(block, END, offer, "first", 1, new Date("2026-04-18T12:00:00Z"), { link });
    expect(n.body.split("\n").slice(0, 2)).toEqual(["Review and approve or deny here:", link]);
    expect(link).toMatch(/^https:\/\/api\.example\/prod\/link\/[\w-]+\.[\w-]{43}$/);
    const claims = await verifyLink(secret, link.slice(link.lastIndexOf("/") + 1));
    expect(claims).toMatchObject({
      pk: "llm",
      registrationId: "reg-1",
      window: END,
      durationHours: 24,
      upfrontFee: "1510.27",
      currency: "USD",
      to: "fin@example.com",
      expiresAt: "2026-04-20T10:25:00.000Z",
    });
  });

  it("signs each purpose with its own subkey, rejecting a token sealed for another, by another key or altered", async () => {
    const secret = { current: async () => "k".repeat(48) };
    const sealed = await sealJson(secret, "console-session", { sid: "s" });
    expect(await openJson(secret, "console-session", sealed)).toEqual({ sid: "s" });
    expect(await openJson(secret, "approval-link", sealed)).toBeUndefined();
    expect(await openJson({ current: async () => "other".repeat(10) }, "console-session", sealed)).toBeUndefined();
    expect(
      await openJson(
        secret,
        "console-session",
        sealed.replace(/^./, (c) => (c === "e" ? "f" : "e")),
      ),
    ).toBeUndefined();
  });

  it("accepts a token signed before the key was rotated only until the source re-reads the key", async () => {
    let key = "old".repeat(16);
    const secret = { current: async () => key, refresh: async () => key };
    const sealed = await sealJson(secret, "approval-link", { a: 1 });
    key = "new".repeat(16);
    expect(await openJson(secret, "approval-link", sealed)).toBeUndefined();
    expect(await openJson(secret, "approval-link", await sealJson(secret, "approval-link", { a: 1 }))).toEqual({ a: 1 });
  });
});

describe("AWS Capacity Block events", () => {
  const event = (detailType: string, id: string) => ({
    source: "aws.ec2",
    "detail-type": detailType,
    time: "2026-04-20T10:50:00Z",
    region: "us-east-1",
    detail: { "capacity-reservation-id": id, "end-date": END },
  });

  it("forwards both spellings of the expiration warning, naming the managed block", async () => {
    const store = createDynamoBlockStore(table);
    const cr = crId();
    const block = await store.create(
      makeBlock({ PK: `ev-${cr.slice(-5)}`, capacityReservationId: cr, endDate: END, name: "vision", registrationId: "r1" }),
      [],
      { ledgerRev: undefined },
    );
    const n = outbox();
    const handler = createNoticesHandler({ store, notifier: n, clock: fixedClock("2026-04-20T10:50:00Z"), logger: silent });
    for (const type of ["Capacity Block Reservation Expiration Warning", "Capacity Block Expiration Warning"]) {
      await handler(event(type, cr), {} as Context);
    }
    expect(n.sent).toHaveLength(2);
    expect(n.sent.every((x) => x.kind === "capacity-block-event" && x.pk === block.PK)).toBe(true);
    expect(n.sent[0]!.body).toMatch(
      /expires soon, at 2026-04-20T11:30:00.000Z[\s\S]*terminating its instances at 2026-04-20T11:00:00.000Z/,
    );
  });

  it("runs the expiry reminder sweep on its schedule instead", async () => {
    let sweeps = 0;
    const handler = createNoticesHandler({
      store: createDynamoBlockStore(table),
      notifier: outbox(),
      clock: fixedClock("2026-04-20T10:50:00Z"),
      logger: silent,
      reminders: { sweep: async () => ++sweeps },
    });
    await expect(handler({ source: "aws.events", "detail-type": "Scheduled Event", detail: {} }, {} as Context)).resolves.toEqual({
      reminders: 1,
    });
    expect(sweeps).toBe(1);
  });

  it("forwards a delivery for a reservation CBM does not manage, ignoring other events", async () => {
    const n = outbox();
    const handler = createNoticesHandler({
      store: createDynamoBlockStore(table),
      notifier: n,
      clock: fixedClock("2026-04-20T10:50:00Z"),
      logger: silent,
    });
    await expect(handler(event("Capacity Block Delivered", "cr-00000000000000abc"), {} as Context)).resolves.toEqual({ forwarded: true });
    await expect(handler(event("EC2 Instance State-change Notification", "cr-00000000000000abc"), {} as Context)).resolves.toEqual({
      forwarded: false,
    });
    expect(n.sent.map((x) => x.subject)).toEqual(["CBM: AWS delivered capacity block cr-00000000000000abc"]);
  });
});
