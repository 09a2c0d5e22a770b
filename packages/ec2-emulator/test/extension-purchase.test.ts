import { PurchaseCapacityBlockExtensionCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { OTHER_ACCOUNT, START, ec2, expectEc2Error, hex17 } from "./helpers";
import { h, client, useExtensionEmulator, seedActive, offer, buy, endDate, history } from "./extension-calls";

// PurchaseCapacityBlockExtension: payment lifecycle and every refusal.
useExtensionEmulator();

describe("PurchaseCapacityBlockExtension lifecycle", () => {
  it("is payment-pending first, then payment-succeeded on the same cr id with EndDate moved", async () => {
    const id = seedActive();
    const bought = await buy(id, 48);
    expect(bought.CapacityBlockExtensions).toEqual([
      expect.objectContaining({
        CapacityReservationId: id,
        CapacityBlockExtensionDurationHours: 48,
        CapacityBlockExtensionStatus: "payment-pending",
        CapacityBlockExtensionPurchaseDate: new Date(START),
        CapacityBlockExtensionStartDate: new Date("2026-11-26T11:30:00Z"),
        CapacityBlockExtensionEndDate: new Date("2026-11-28T11:30:00Z"),
        UpfrontFee: "3020.54",
        CurrencyCode: "USD",
      }),
    ]);
    expect(await endDate(id)).toBe("2026-11-26T11:30:00.000Z");
    expect((await history(id)).map((e) => e.CapacityBlockExtensionStatus)).toEqual(["payment-pending"]);

    h.control.advance({ seconds: 299 });
    expect(await endDate(id)).toBe("2026-11-26T11:30:00.000Z");
    h.control.advance({ seconds: 1 });
    expect(await endDate(id)).toBe("2026-11-28T11:30:00.000Z");
    expect((await history(id)).map((e) => e.CapacityBlockExtensionStatus)).toEqual(["payment-succeeded"]);
    expect(h.control.ledger()).toEqual([
      expect.objectContaining({
        seq: 1,
        action: "PurchaseCapacityBlockExtension",
        capacityReservationId: id,
        durationHours: 48,
        upfrontFee: "3020.54",
        at: START,
      }),
    ]);
  });

  it("fails the payment under a payment-failure fault, leaving EndDate unchanged", async () => {
    const id = seedActive();
    h.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "payment-failure" });
    await buy(id, 24);
    h.control.advance({ minutes: 10 });
    expect((await history(id)).map((e) => e.CapacityBlockExtensionStatus)).toEqual(["payment-failed"]);
    expect(await endDate(id)).toBe("2026-11-26T11:30:00.000Z");
    // The fault was used up: the next purchase pays.
    await buy(id, 24);
    h.control.advance({ minutes: 10 });
    expect(await endDate(id)).toBe("2026-11-27T11:30:00.000Z");
    expect(h.control.ledger()).toHaveLength(2);
  });

  it("fails a payment that would clear later than 35 minutes before the end", async () => {
    const id = seedActive({ endDate: "2026-11-24T11:30:00Z" }); // ends 3.5 h after START
    h.control.configure({ paymentDelaySeconds: 3 * 3600 }); // would clear at 11:00, after the 10:55 deadline
    await buy(id, 24);
    h.control.setClock("2026-11-24T10:54:59Z");
    expect((await history(id))[0]?.CapacityBlockExtensionStatus).toBe("payment-pending");
    h.control.setClock("2026-11-24T10:55:00Z");
    expect((await history(id))[0]?.CapacityBlockExtensionStatus).toBe("payment-failed");
    expect(await endDate(id)).toBe("2026-11-24T11:30:00.000Z");
  });

  it("fails a payment not cleared within 12 hours of purchase", async () => {
    const id = seedActive({ endDate: "2026-12-10T11:30:00Z" });
    h.control.configure({ paymentDelaySeconds: 13 * 3600 });
    await buy(id, 24);
    h.control.advance({ hours: 12 });
    expect((await history(id))[0]?.CapacityBlockExtensionStatus).toBe("payment-failed");
  });

  it("rejects a second purchase while one is payment-pending", async () => {
    const id = seedActive();
    const [first, second] = [(await offer(id, 24))[0]!, (await offer(id, 48))[0]!];
    await client.send(
      new PurchaseCapacityBlockExtensionCommand({
        CapacityReservationId: id,
        CapacityBlockExtensionOfferingId: first.CapacityBlockExtensionOfferingId,
      }),
    );
    await expectEc2Error(
      client.send(
        new PurchaseCapacityBlockExtensionCommand({
          CapacityReservationId: id,
          CapacityBlockExtensionOfferingId: second.CapacityBlockExtensionOfferingId,
        }),
      ),
      "IncorrectState",
      400,
    );
    await expectEc2Error(offer(id, 24), "IncorrectState", 400);
    expect(h.control.ledger()).toHaveLength(1);
  });

  /** Two offerings for one block; the second is bought and paid, which moves the block's end. */
  async function buySecondOfTwo() {
    const id = seedActive();
    const [stale] = await offer(id, 24);
    const [used] = await offer(id, 24);
    await client.send(
      new PurchaseCapacityBlockExtensionCommand({
        CapacityReservationId: id,
        CapacityBlockExtensionOfferingId: used!.CapacityBlockExtensionOfferingId,
      }),
    );
    h.control.advance({ minutes: 5 });
    return { id, stale: stale!, used: used! };
  }

  it("rejects a stale offering once the end has moved", async () => {
    const { id, stale } = await buySecondOfTwo();
    await expectEc2Error(
      client.send(
        new PurchaseCapacityBlockExtensionCommand({
          CapacityReservationId: id,
          CapacityBlockExtensionOfferingId: stale.CapacityBlockExtensionOfferingId,
        }),
      ),
      "InvalidCapacityBlockOfferingIdExpired",
      400,
    );
  });

  it("rejects an offering already bought", async () => {
    const { id, used } = await buySecondOfTwo();
    await expectEc2Error(
      client.send(
        new PurchaseCapacityBlockExtensionCommand({
          CapacityReservationId: id,
          CapacityBlockExtensionOfferingId: used.CapacityBlockExtensionOfferingId,
        }),
      ),
      "InvalidCapacityBlockOfferingIdExpired",
      400,
    );
  });

  it("rejects purchases outside the 56-day / 1-hour window", async () => {
    const late = seedActive({ endDate: "2026-11-24T11:30:00Z" });
    const [offering] = await offer(late, 24); // 3.5 h before the end: allowed
    h.control.setClock("2026-11-24T10:30:01Z"); // 59m59s before the end
    await expectEc2Error(
      client.send(
        new PurchaseCapacityBlockExtensionCommand({
          CapacityReservationId: late,
          CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
        }),
      ),
      "InvalidParameterValue",
      400,
    );
    h.control.setClock(START);
    const early = seedActive({ startDate: "2026-11-20T11:30:00Z", endDate: "2027-01-20T11:30:00Z" }); // 57 days ahead
    await expectEc2Error(offer(early, 24), "InvalidParameterValue", 400);
    h.control.setClock("2026-11-25T11:30:00Z"); // now exactly 56 days before the end
    expect(await offer(early, 24)).toHaveLength(1);
  });

  it("rejects blocks that are not active or scheduled", async () => {
    const expired = seedActive({ startDate: "2026-11-01T11:30:00Z", endDate: "2026-11-03T11:30:00Z" });
    await expectEc2Error(offer(expired, 24), "IncorrectState", 400);
    const pending = seedActive({ state: "payment-pending" });
    await expectEc2Error(offer(pending, 24), "IncorrectState", 400);
    const scheduled = seedActive({ startDate: "2026-11-25T11:30:00Z", endDate: "2026-11-27T11:30:00Z" });
    expect(await buy(scheduled, 24)).toMatchObject({ CapacityBlockExtensions: [{ CapacityBlockExtensionStatus: "payment-pending" }] });
  });

  it("refuses to extend a block shared into the caller's account", async () => {
    const shared = seedActive({ ownerId: OTHER_ACCOUNT });
    await expectEc2Error(offer(shared, 24), "UnauthorizedOperation", 403);
    // The owner can, and its offering cannot be bought by the consumer.
    h.control.mapAccessKey("AKIDOWNER", OTHER_ACCOUNT);
    const owner = ec2(h, { accessKeyId: "AKIDOWNER", maxAttempts: 1 });
    const [offering] = await offer(shared, 24, owner);
    await expectEc2Error(
      client.send(
        new PurchaseCapacityBlockExtensionCommand({
          CapacityReservationId: shared,
          CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
        }),
      ),
      "UnauthorizedOperation",
      403,
    );
    expect(h.control.ledger()).toEqual([]);
    await owner.send(
      new PurchaseCapacityBlockExtensionCommand({
        CapacityReservationId: shared,
        CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
      }),
    );
    expect(h.control.ledger()).toEqual([expect.objectContaining({ accountId: OTHER_ACCOUNT, capacityReservationId: shared })]);
  });

  it("rejects an offering that is unknown, malformed or another reservation's", async () => {
    const a = seedActive();
    const b = seedActive();
    const [forB] = await offer(b, 24);
    const purchase = (offeringId: string, id = a) =>
      client.send(new PurchaseCapacityBlockExtensionCommand({ CapacityReservationId: id, CapacityBlockExtensionOfferingId: offeringId }));
    await expectEc2Error(purchase(forB!.CapacityBlockExtensionOfferingId!), "InvalidCapacityBlockOfferingIdNotFound", 400);
    await expectEc2Error(purchase(`cbe-${hex17(99)}`), "InvalidCapacityBlockOfferingIdNotFound", 400);
    await expectEc2Error(purchase("cbe-xyz"), "InvalidCapacityBlockOfferingIdMalformed", 400);
    await expectEc2Error(
      client.send(new PurchaseCapacityBlockExtensionCommand({ CapacityReservationId: a } as never)),
      "MissingParameter",
      400,
    );
    await expectEc2Error(purchase(forB!.CapacityBlockExtensionOfferingId!, `cr-${hex17(5)}`), "InvalidCapacityReservationId.NotFound", 400);
  });

  it("answers DryRun with 412 without buying", async () => {
    const id = seedActive();
    const [offering] = await offer(id, 24);
    await expectEc2Error(
      client.send(
        new PurchaseCapacityBlockExtensionCommand({
          CapacityReservationId: id,
          CapacityBlockExtensionOfferingId: offering!.CapacityBlockExtensionOfferingId,
          DryRun: true,
        }),
      ),
      "DryRunOperation",
      412,
    );
    expect(h.control.ledger()).toEqual([]);
  });

  it("lets tests change the codes AWS does not document", async () => {
    const shared = seedActive({ ownerId: OTHER_ACCOUNT });
    h.control.setErrorCode("not-owner", "InvalidParameterValue");
    await expectEc2Error(offer(shared, 24), "InvalidParameterValue", 400);
    h.control.setErrorCode("outside-window", "UnsupportedOperation");
    const id = seedActive({ endDate: "2026-11-24T11:30:00Z" });
    h.control.setClock("2026-11-24T11:00:00Z");
    await expectEc2Error(offer(id, 24), "UnsupportedOperation", 400);
    expect(() => h.control.setErrorCode("no-such-situation" as never, "X")).toThrow(/Unknown error situation/);
  });
});
