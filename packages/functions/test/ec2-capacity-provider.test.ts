import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EC2Client } from "@aws-sdk/client-ec2";
import { AmbiguousOutcomeError, InfrastructureError, RejectedError, ThrottledError } from "@cbm/core";
import { startEmulator, type EmulatorHandle } from "@cbm/ec2-emulator";
import { createEc2CapacityProvider, createEc2ClientFactory, type Ec2CapacityProviderOptions } from "../src/adapters/ec2-capacity-provider";
import { mapPurchaseError } from "../src/adapters/ec2-errors";

const START = "2025-06-01T12:00:00.000Z";
const END = "2025-06-03T11:30:00.000Z";
const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };
const UNKNOWN_A = "cr-00000000000000a0a";
const UNKNOWN_B = "cr-00000000000000b0b";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, clock: { start: START } });
});
afterAll(async () => {
  await emu?.stop();
});
beforeEach(() => {
  emu.control.reset();
  emu.control.setClock(START);
});

function provider(extra: Partial<Ec2CapacityProviderOptions> = {}) {
  return createEc2CapacityProvider({
    endpoint: emu.url,
    credentials: CREDENTIALS,
    requestTimeoutMs: 1_000,
    describeMaxAttempts: 1,
    ...extra,
  });
}

function seed(n = 1, region = "us-east-1") {
  return Array.from({ length: n }, () => emu.control.seedBlock({ region, endDate: END, instanceCount: 2 }).capacityReservationId);
}

const calls = (action: string) => emu.control.calls().filter((c) => c.action === action);

async function offeringFor(ec2: ReturnType<typeof provider>, cr: string, hours = 48) {
  const [offering] = await ec2.extensionOfferings("us-east-1", cr, hours);
  if (!offering) throw new Error("no offering");
  return offering;
}

describe("describeReservations", () => {
  it("converts EC2's reservation into the core view (ISO dates, owner, region)", async () => {
    const [cr] = seed();
    const map = await provider().describeReservations("us-east-1", [cr!]);
    expect(map.get(cr!)).toMatchObject({
      capacityReservationId: cr,
      ownerId: "123456789012",
      region: "us-east-1",
      state: "active",
      endDate: END,
      instanceType: "p5.48xlarge",
      instanceCount: 2,
      availabilityZone: "us-east-1a",
      reservationType: "capacity-block",
    });
  });

  it("batches ids: one call per batch, not per block", async () => {
    const ids = seed(5);
    const map = await provider({ batchSize: 2 }).describeReservations("us-east-1", ids);
    expect([...map.keys()].sort()).toEqual([...ids].sort());
    expect(calls("DescribeCapacityReservations")).toHaveLength(3);
  });

  it("an unknown id does not hide the others (EC2 fails the whole batch on one)", async () => {
    const ids = seed(4);
    const map = await provider().describeReservations("us-east-1", [ids[0]!, UNKNOWN_A, ...ids.slice(1), UNKNOWN_B]);
    expect([...map.keys()].sort()).toEqual([...ids].sort());
    expect(map.has(UNKNOWN_A)).toBe(false);
    // Each failure names its id, so it is dropped without bisecting: 2 failures + 1 success.
    expect(calls("DescribeCapacityReservations").length).toBeLessThanOrEqual(3);
  });

  it("bisects a failing batch when EC2's message names no id", async () => {
    const ids = seed(3);
    const client = new EC2Client({ region: "us-east-1", endpoint: emu.url, credentials: CREDENTIALS, maxAttempts: 1 });
    // Strip the id from the message, as a future EC2 wording might.
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          (err as Error).message = "The capacity reservation ID was not found";
          throw err;
        }
      },
      { step: "initialize", name: "hideIds" },
    );
    const map = await provider({ clientFor: () => client }).describeReservations("us-east-1", [...ids, UNKNOWN_A]);
    expect([...map.keys()].sort()).toEqual([...ids].sort());
  });

  it("throttling is a ThrottledError, other failures InfrastructureError", async () => {
    const [cr] = seed();
    emu.control.injectFault({ action: "DescribeCapacityReservations", kind: "throttle" });
    await expect(provider().describeReservations("us-east-1", [cr!])).rejects.toBeInstanceOf(ThrottledError);
    emu.control.injectFault({ action: "DescribeCapacityReservations", kind: "error-before" });
    const err = await provider()
      .describeReservations("us-east-1", [cr!])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureError);
    expect(err).not.toBeInstanceOf(ThrottledError);
  });

  it("keeps regions apart", async () => {
    const [east] = seed(1, "us-east-1");
    const [west] = seed(1, "us-west-2");
    const ec2 = provider();
    const w = await ec2.describeReservations("us-west-2", [west!]);
    expect(w.get(west!)?.region).toBe("us-west-2");
    expect((await ec2.describeReservations("us-east-1", [east!])).has(east!)).toBe(true);
  });
});

describe("claimForStage", () => {
  it("tags the reservation cbm:stage=<stage>, which describeReservations then reports among its tags", async () => {
    const cr = emu.control.seedBlock({ endDate: END, tags: { team: "llm" } }).capacityReservationId;
    const ec2 = provider();

    await ec2.claimForStage("us-east-1", cr, "prod");

    expect(calls("CreateTags")).toHaveLength(1);
    expect((await ec2.describeReservations("us-east-1", [cr])).get(cr)?.tags).toEqual({ team: "llm", "cbm:stage": "prod" });
  });

  it("a refusal (a block shared into this account) is an InfrastructureError, throttling a ThrottledError", async () => {
    const shared = emu.control.seedBlock({ ownerId: "210987654321", endDate: END }).capacityReservationId;
    const [own] = seed();

    const refused = await provider()
      .claimForStage("us-east-1", shared, "prod")
      .catch((e: unknown) => e);
    emu.control.injectFault({ action: "CreateTags", kind: "throttle" });
    const throttled = await provider()
      .claimForStage("us-east-1", own!, "prod")
      .catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(InfrastructureError);
    expect((refused as InfrastructureError).providerCode).toBe("UnauthorizedOperation");
    expect(throttled).toBeInstanceOf(ThrottledError);
  });
});

describe("offerings, purchase and history", () => {
  it("converts offerings: fee stays a string, dates are ISO", async () => {
    const [cr] = seed();
    const offerings = await provider().extensionOfferings("us-east-1", cr!, 48);
    expect(offerings.length).toBeGreaterThan(0);
    const o = offerings[0]!;
    expect(o).toMatchObject({
      capacityReservationId: cr,
      durationHours: 48,
      startDate: END,
      endDate: "2025-06-05T11:30:00.000Z",
      currencyCode: "USD",
    });
    expect(typeof o.upfrontFee).toBe("string");
    expect(o.offeringId).toMatch(/^cbe-/);
  });

  it("describe-limit on offerings is throttling (the SDK does not retry it)", async () => {
    const [cr] = seed();
    emu.control.injectFault({ action: "DescribeCapacityBlockExtensionOfferings", kind: "describe-limit" });
    await expect(provider().extensionOfferings("us-east-1", cr!, 48)).rejects.toBeInstanceOf(ThrottledError);
  });

  it("buys once with retries off, returning the extension that history groups by reservation", async () => {
    const [cr, other] = seed(2);
    const ec2 = provider();
    const o = await offeringFor(ec2, cr!);
    const ext = await ec2.purchaseExtension("us-east-1", cr!, o.offeringId);
    expect(ext).toMatchObject({
      capacityReservationId: cr,
      offeringId: o.offeringId,
      status: "payment-pending",
      durationHours: 48,
      startDate: END,
      upfrontFee: o.upfrontFee,
      purchaseDate: START,
    });
    const purchase = calls("PurchaseCapacityBlockExtension");
    expect(purchase).toHaveLength(1);
    expect(purchase[0]!.attempt).toMatch(/max=1/);
    const hist = await ec2.extensionHistory("us-east-1", [cr!, other!, UNKNOWN_A]);
    expect(hist.get(cr!)).toEqual([ext]);
    expect(hist.has(other!)).toBe(false);
  });

  it("5xx after the purchase took effect: AmbiguousOutcomeError, one call, one ledger entry", async () => {
    const [cr] = seed();
    const ec2 = provider();
    const o = await offeringFor(ec2, cr!);
    emu.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "error-after" });
    await expect(ec2.purchaseExtension("us-east-1", cr!, o.offeringId)).rejects.toBeInstanceOf(AmbiguousOutcomeError);
    expect(calls("PurchaseCapacityBlockExtension")).toHaveLength(1);
    expect(emu.control.ledger().filter((l) => l.capacityReservationId === cr)).toHaveLength(1);
  });

  it("5xx before any effect is still ambiguous (the caller cannot tell), never retried", async () => {
    const [cr] = seed();
    const ec2 = provider();
    const o = await offeringFor(ec2, cr!);
    emu.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "error-before" });
    await expect(ec2.purchaseExtension("us-east-1", cr!, o.offeringId)).rejects.toBeInstanceOf(AmbiguousOutcomeError);
    expect(calls("PurchaseCapacityBlockExtension")).toHaveLength(1);
    expect(emu.control.ledger()).toHaveLength(0);
  });

  it("a timeout is ambiguous: the purchase may have happened", async () => {
    const [cr] = seed();
    const ec2 = provider({ requestTimeoutMs: 200 });
    const o = await offeringFor(ec2, cr!);
    emu.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "latency", ms: 1_000 });
    const started = Date.now();
    const err = await ec2.purchaseExtension("us-east-1", cr!, o.offeringId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousOutcomeError);
    expect(Date.now() - started).toBeLessThan(900);
    expect(emu.control.ledger()).toHaveLength(1);
  });

  it("EC2 refusing (unknown offering, throttled) is a rejection: nothing bought, no retry", async () => {
    const [cr] = seed();
    const ec2 = provider();
    const err = await ec2.purchaseExtension("us-east-1", cr!, "cbe-0123456789abcdef0").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RejectedError);
    expect((err as RejectedError).providerCode).toBe("InvalidCapacityBlockOfferingIdNotFound");
    const o = await offeringFor(ec2, cr!);
    emu.control.injectFault({ action: "PurchaseCapacityBlockExtension", kind: "throttle" });
    await expect(ec2.purchaseExtension("us-east-1", cr!, o.offeringId)).rejects.toBeInstanceOf(ThrottledError);
    expect(calls("PurchaseCapacityBlockExtension")).toHaveLength(2);
    expect(emu.control.ledger()).toHaveLength(0);
  });

  it("a second extension while one is payment-pending is rejected by EC2", async () => {
    const [cr] = seed();
    const ec2 = provider();
    const o = await offeringFor(ec2, cr!);
    await ec2.purchaseExtension("us-east-1", cr!, o.offeringId);
    const err = await ec2.purchaseExtension("us-east-1", cr!, o.offeringId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RejectedError);
    expect(emu.control.ledger()).toHaveLength(1);
  });

  it("after payment, history shows payment-succeeded, the end date moved", async () => {
    const [cr] = seed();
    const ec2 = provider();
    const o = await offeringFor(ec2, cr!);
    await ec2.purchaseExtension("us-east-1", cr!, o.offeringId);
    emu.control.advance({ minutes: 10 });
    const [h] = (await ec2.extensionHistory("us-east-1", [cr!])).get(cr!) ?? [];
    expect(h?.status).toBe("payment-succeeded");
    expect((await ec2.describeReservations("us-east-1", [cr!])).get(cr!)?.endDate).toBe("2025-06-05T11:30:00.000Z");
  });
});

describe("clients and listing", () => {
  it("creates one client per region, per purpose, once", async () => {
    const made: string[] = [];
    const factory = createEc2ClientFactory({ endpoint: emu.url, credentials: CREDENTIALS, requestTimeoutMs: 1_000 });
    const ec2 = createEc2CapacityProvider({
      clientFor: (region, purpose) => (made.push(`${purpose}:${region}`), factory(region, purpose)),
    });
    const [cr] = seed();
    await ec2.describeReservations("us-east-1", [cr!]);
    await ec2.extensionHistory("us-east-1", [cr!]);
    await ec2.describeReservations("us-east-1", [cr!]);
    const o = await offeringFor(ec2, cr!);
    await ec2.purchaseExtension("us-east-1", cr!, o.offeringId);
    expect(made).toEqual(["describe:us-east-1", "purchase:us-east-1"]);
    expect(await factory("us-east-1", "purchase").config.maxAttempts()).toBe(1);
  });
});

describe("mapPurchaseError", () => {
  const sdkError = (name: string, status: number | undefined, fault?: "client" | "server") =>
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

  it.each([
    ["InvalidParameterValue", 400, "client", RejectedError],
    ["IncorrectState", 400, "client", RejectedError],
    ["UnauthorizedOperation", 403, "client", RejectedError],
    ["RequestLimitExceeded", 503, "server", ThrottledError],
    ["InternalError", 500, "server", AmbiguousOutcomeError],
    ["ServiceUnavailable", 503, "server", AmbiguousOutcomeError],
    ["RequestTimeout", 408, "client", AmbiguousOutcomeError],
    ["TimeoutError", undefined, undefined, AmbiguousOutcomeError],
    ["ECONNRESET", undefined, undefined, AmbiguousOutcomeError],
    ["AbortError", undefined, undefined, AmbiguousOutcomeError],
  ] as const)("%s (%s) → %s", (name, status, fault, cls) => {
    expect(mapPurchaseError(sdkError(name, status, fault))).toBeInstanceOf(cls);
  });
});
