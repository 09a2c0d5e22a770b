import { DescribeCapacityReservationsCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../src/index";
import { ec2, useEmulator } from "./helpers";

let h: EmulatorHandle;
useEmulator((started) => (h = started));

const FORM = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };

async function post(body: string | Uint8Array, headers: Record<string, string> = FORM, method = "POST", path = "/") {
  const res = await fetch(`${h.url}${path}`, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body });
  return { status: res.status, requestId: res.headers.get("x-amzn-requestid"), text: await res.text() };
}

function errorCode(xml: string) {
  return /<Response><Errors><Error><Code>([^<]+)<\/Code><Message>[^<]*<\/Message><\/Error><\/Errors><RequestID>([^<]+)<\/RequestID><\/Response>/.exec(
    xml,
  );
}

describe("EC2 Query wire format", () => {
  it("answers in EC2's envelope: the action's root element, its namespace, one request id in header as in body", async () => {
    h.control.seedBlock({ endDate: "2026-11-27T11:30:00Z" });
    const res = await post(
      "Version=2016-11-15&Action=DescribeCapacityReservations&Filter.1.Value.1=capacity-block&Filter.1.Name=reservation-type",
    );
    expect(res.status).toBe(200);
    expect(res.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<DescribeCapacityReservationsResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/">/,
    );
    expect(res.text).toContain(`<requestId>${res.requestId}</requestId>`);
    expect(res.text).toMatch(/<capacityReservationSet><item><capacityReservationId>cr-[0-9a-f]{17}<\/capacityReservationId>/);
    expect(res.text).toContain("<endDate>2026-11-27T11:30:00.000Z</endDate>");
  });

  it("gives the SDK the header request id whether the call succeeds or fails", async () => {
    const client = ec2(h, { maxAttempts: 1 });
    const ok = await client.send(new DescribeCapacityReservationsCommand({}));
    const failed = await client
      .send(new DescribeCapacityReservationsCommand({ MaxResults: -1 }))
      .catch((e: { $metadata: { requestId?: string } }) => e);
    const calls = h.control.calls();
    expect(ok.$metadata.requestId).toBe(calls[0]!.requestId);
    expect(failed.$metadata.requestId).toBe(calls[1]!.requestId);
  });

  it("takes the region from the SigV4 credential scope", async () => {
    h.control.seedBlock({ region: "eu-north-1", endDate: "2026-11-27T11:30:00Z" });
    const auth = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261124/eu-north-1/ec2/aws4_request, SignedHeaders=host, Signature=abc";
    const north = await post("Action=DescribeCapacityReservations&Version=2016-11-15", { ...FORM, authorization: auth });
    expect(north.text).toContain("<availabilityZone>eu-north-1a</availabilityZone>");
    expect(h.control.calls().map((c) => c.region)).toEqual(["eu-north-1"]);
  });

  it("defaults to us-east-1 when the request carries no credential scope", async () => {
    h.control.seedBlock({ region: "eu-north-1", endDate: "2026-11-27T11:30:00Z" });
    const none = await post("Action=DescribeCapacityReservations&Version=2016-11-15");
    expect(none.text).toContain("<capacityReservationSet/>");
    expect(h.control.calls().map((c) => c.region)).toEqual(["us-east-1"]);
  });

  it.each([
    ["garbage body", "%%%&&&=\u0000\u00ff", FORM, "POST", 400, "MissingAction"],
    ["empty body", "", FORM, "POST", 400, "MissingAction"],
    ["unknown action", "Action=RunInstances&Version=2016-11-15", FORM, "POST", 400, "InvalidAction"],
    ["prototype action", "Action=__proto__&Version=2016-11-15", FORM, "POST", 400, "InvalidAction"],
    ["GET without action", "", {}, "GET", 400, "MissingAction"],
    ["PUT", "Action=DescribeCapacityReservations", FORM, "PUT", 405, "MethodNotAllowed"],
    ["JSON body", '{"Action":"DescribeCapacityReservations"}', { "content-type": "application/json" }, "POST", 400, "UnsupportedProtocol"],
    ["bad integer", "Action=DescribeCapacityReservations&MaxResults=ten", FORM, "POST", 400, "InvalidParameterValue"],
    ["bad boolean", "Action=DescribeCapacityReservations&DryRun=maybe", FORM, "POST", 400, "InvalidParameterValue"],
    ["filter without name", "Action=DescribeCapacityReservations&Filter.1.Value.1=x", FORM, "POST", 400, "MissingParameter"],
  ])("answers %s with an error envelope, never a crash", async (_label, body, headers, method, status, code) => {
    const res = await post(body, headers as Record<string, string>, method);
    expect(res.status).toBe(status);
    const m = errorCode(res.text);
    expect(m?.[1]).toBe(code);
    expect(m?.[2]).toBe(res.requestId);
  });

  it("refuses a body over 1 MiB with 413, then serves the next request", async () => {
    const res = await post(`Action=DescribeCapacityReservations&Junk=${"x".repeat(1024 * 1024 + 10)}`);
    expect(res.status).toBe(413);
    expect(errorCode(res.text)?.[1]).toBe("RequestEntityTooLarge");
    expect((await post("Action=DescribeCapacityReservations&Version=2016-11-15")).status).toBe(200);
  });

  it("accepts the query string form of GET, as EC2 does", async () => {
    const res = await post("", {}, "GET", "/?Action=DescribeCapacityReservations&Version=2016-11-15");
    expect(res.status).toBe(200);
    expect(res.text).toContain("<DescribeCapacityReservationsResponse");
  });
});

describe("control API over HTTP", () => {
  async function control(method: string, path: string, body?: unknown) {
    const res = await fetch(`${h.url}/_emulator${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
  }

  it("drives the virtual clock over HTTP: set, advance, read, rate, real", async () => {
    expect((await control("POST", "/clock", { now: "2026-12-01T00:00:00Z" })).body).toMatchObject({
      now: "2026-12-01T00:00:00.000Z",
      mode: "virtual",
      rate: 0,
    });
    expect((await control("POST", "/clock/advance", { hours: 2, minutes: 30 })).body).toEqual({ now: "2026-12-01T02:30:00.000Z" });
    expect((await control("GET", "/clock")).body).toMatchObject({ now: "2026-12-01T02:30:00.000Z" });
    expect((await control("POST", "/clock/rate", { rate: 60 })).body).toMatchObject({ rate: 60 });
    expect((await control("POST", "/clock/real")).body).toMatchObject({ mode: "real" });
    expect((await control("POST", "/clock", { now: "not a date" })).status).toBe(400);
  });

  it("seeds the demo: six blocks in two regions with fixed ids, one of them shared in, one scheduled", async () => {
    const { status, body } = await control("POST", "/seed/demo");
    expect(status).toBe(200);
    const demo = body as unknown as { capacityReservationId: string; region: string; state: string; ownerId: string; endDate: string }[];
    expect(demo.map((r) => r.capacityReservationId)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `cr-0000000000000d00${n}`));
    expect(new Set(demo.map((r) => r.region))).toEqual(new Set(["us-east-1", "us-west-2"]));
    expect(demo.map((r) => r.state)).toEqual(["active", "active", "active", "scheduled", "active", "active"]);
    expect(demo.filter((r) => r.ownerId !== "123456789012")).toHaveLength(1);
    expect(demo.every((r) => r.endDate.endsWith("T11:30:00.000Z"))).toBe(true);
    expect(new Set(demo.map((r) => r.endDate)).size).toBeGreaterThanOrEqual(5);
    expect((await control("POST", "/seed/demo")).body).toHaveLength(6);
    expect((await control("GET", "/reservations")).body).toHaveLength(6);
  });

  it("seeds a block that the reservation routes read back", async () => {
    const seeded = await control("POST", "/seed/block", { endDate: "2026-11-30T11:30:00Z", instanceType: "p4d.24xlarge" });
    const id = (seeded.body as unknown as { capacityReservationId: string }).capacityReservationId;
    expect((await control("GET", `/reservations/${id}`)).body).toMatchObject({
      capacityReservationId: id,
      instanceType: "p4d.24xlarge",
      state: "active",
    });
    expect((await control("GET", "/reservations?region=us-east-1")).body).toHaveLength(1);
    expect((await control("GET", "/reservations/cr-00000000000000000")).status).toBe(404);
  });

  it("refuses to seed a block whose end is not 11:30 UTC", async () => {
    const bad = await control("POST", "/seed/block", { endDate: "2026-11-30T12:00:00Z" });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "InvalidSeed" } } });
  });

  async function seedAndExtend(): Promise<{ id: string; offering: string | undefined }> {
    const { body: seeded } = await control("POST", "/seed/block", { endDate: "2026-11-30T11:30:00Z" });
    const id = (seeded as unknown as { capacityReservationId: string }).capacityReservationId;
    const offering = /<capacityBlockExtensionOfferingId>([^<]+)</.exec(
      (await post(`Action=DescribeCapacityBlockExtensionOfferings&CapacityReservationId=${id}&CapacityBlockExtensionDurationHours=24`))
        .text,
    )?.[1];
    await post(`Action=PurchaseCapacityBlockExtension&CapacityReservationId=${id}&CapacityBlockExtensionOfferingId=${offering}`);
    return { id, offering };
  }

  it("serves the fault routes: inject, list, clear", async () => {
    const injected = await control("POST", "/faults", { action: "DescribeCapacityReservations", kind: "throttle", times: "Infinity" });
    expect(injected.body).toEqual({ faultId: expect.stringMatching(/^fault-\d+$/) });
    expect((await control("GET", "/faults")).body).toEqual([expect.objectContaining({ kind: "throttle", remaining: null })]); // Infinity → null in JSON
    expect((await post("Action=DescribeCapacityReservations")).status).toBe(503);
    expect((await control("DELETE", "/faults")).status).toBe(200);
    expect((await post("Action=DescribeCapacityReservations")).status).toBe(200);
  });

  it("reads back what a purchase recorded: its ledger entry, its extension", async () => {
    const { id, offering } = await seedAndExtend();
    expect((await control("GET", "/ledger")).body).toEqual([
      expect.objectContaining({ capacityReservationId: id, offeringId: offering, upfrontFee: "755.14" }),
    ]);
    expect((await control("GET", `/extensions?capacityReservationId=${id}`)).body).toEqual([
      expect.objectContaining({ capacityBlockExtensionStatus: "payment-pending" }),
    ]);
  });

  it("clears the call record", async () => {
    await seedAndExtend();
    expect((await control("GET", "/calls")).body.length).toBeGreaterThan(0);
    await control("DELETE", "/calls");
    expect((await control("GET", "/calls")).body).toEqual([]);
  });

  it("resets to an empty ledger on a real clock", async () => {
    await seedAndExtend();
    expect((await control("GET", "/ledger")).body).toHaveLength(1);
    expect((await control("POST", "/reset")).body).toEqual({ ok: true });
    expect((await control("GET", "/ledger")).body).toEqual([]);
    expect((await control("GET", "/clock")).body).toMatchObject({ mode: "real" });
  });

  it("applies each setting (error codes, capacity, prices, payment delay, access keys), refusing a malformed one", async () => {
    expect(
      (await control("POST", "/error-codes", { situation: "wrong-state", code: "InvalidCapacityReservationState" })).body,
    ).toMatchObject({
      "wrong-state": { code: "InvalidCapacityReservationState", status: 400 },
    });
    expect((await control("POST", "/error-codes", { situation: "bogus", code: "X" })).status).toBe(400);
    expect((await control("POST", "/capacity", { instanceType: "p5.48xlarge", available: false })).status).toBe(200);
    expect((await control("POST", "/capacity", {})).status).toBe(400);
    expect((await control("POST", "/price", { instanceType: "p5.48xlarge", hourlyRate: "98.32" })).status).toBe(200);
    expect((await control("POST", "/price", { instanceType: "p5.48xlarge", hourlyRate: 98.32 })).status).toBe(400);
    expect((await control("POST", "/config", { paymentDelaySeconds: 60, expiredRetentionHours: 24 })).body).toEqual({
      paymentDelaySeconds: 60,
      expiredRetentionHours: 24,
    });
    expect((await control("POST", "/access-keys", { accessKeyId: "AKIDB", accountId: "210987654321" })).status).toBe(200);
  });

  it("answers any malformed control request with a JSON error", async () => {
    expect(await control("POST", "/faults", "{not json")).toMatchObject({ status: 400, body: { error: { code: "InvalidJson" } } });
    expect(await control("POST", "/faults", "[1,2]")).toMatchObject({ status: 400, body: { error: { code: "InvalidJson" } } });
    expect(await control("POST", "/faults", { kind: "throttle" })).toMatchObject({
      status: 400,
      body: { error: { code: "InvalidFault" } },
    });
    expect(await control("GET", "/nope")).toMatchObject({ status: 404, body: { error: { code: "UnknownRoute" } } });
    expect((await control("GET", "/health")).body).toMatchObject({ ok: true });
  });
});
