import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { staticSecretSource } from "../src/adapters/secrets-source";
import { createEc2BlockMarket } from "../src/adapters/ec2-block-market";
import { createPlanningHandler } from "../src/composition/create-planning-handler";
import { apiEvent, API_KEY, type CallOptions } from "./support/api";
import { useRequestWorld } from "./support/request-world";

/*
 * Issue 22, finding 4: a request is addressed by its name as by its id, a name belongs to one live request, and
 * the request and the block it buys share it. Through the planning API's Middy pipeline, over DynamoDB Local.
 */
const w = useRequestWorld();
const quiet = { error: () => {}, warn: () => {} };

async function call(method: string, path: string, opts: CallOptions = {}) {
  const market = createEc2BlockMarket({ endpoint: w.emu.url, credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" } });
  const handler = createPlanningHandler({
    market,
    requests: w.requests,
    clock: w.clock,
    secrets: staticSecretSource(API_KEY),
    defaultRegion: "us-east-1",
    logger: quiet,
  });
  const res = await handler(apiEvent(method, path, opts), { awsRequestId: "req-1" } as Context);
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

const body = (name: string) => ({
  name,
  instanceType: "p5.48xlarge",
  durationDays: 1,
  latestStart: "2026-11-30T12:00:00Z",
  maxUpfrontFee: "1000",
});

describe("a capacity request addressed by name", () => {
  it("is read, approved, cancelled at /requests/{name} as at /requests/{id}", async () => {
    const created = await call("POST", "/requests", { body: { ...body("named-run"), requireApproval: true } });
    await w.run();

    const got = await call("GET", "/requests/named-run");
    const approved = await call("PATCH", "/requests/named-run");
    const other = await call("POST", "/requests", { body: body("to-cancel") });
    const cancelled = await call("DELETE", "/requests/to-cancel");

    expect(created.status).toBe(201);
    expect(got).toMatchObject({ status: 200, body: { id: created.body.id, name: "named-run" } });
    expect(approved).toMatchObject({ status: 200, body: { id: created.body.id, approval: expect.any(Object) } });
    expect(cancelled).toMatchObject({ status: 200, body: { id: other.body.id, status: "cancelled" } });
  });

  it("answers 404 NOT_FOUND to a name no request has", async () => {
    const res = await call("GET", "/requests/nobody-has-this");

    expect(res).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
  });
});

describe("request names", () => {
  it("refuses a name an open request holds with 409 NAME_TAKEN on the field name", async () => {
    const first = await call("POST", "/requests", { body: body("shared-name") });

    const second = await call("POST", "/requests", { body: body("shared-name") });

    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: "NAME_TAKEN", issues: [{ field: "name", code: "name_taken" }] });
    expect(second.body.message).toContain(first.body.id);
  });

  it("gives exactly one of two simultaneous creates of one name 201 and the other 409 NAME_TAKEN", async () => {
    const answers = await Promise.all([
      call("POST", "/requests", { body: body("raced-name") }),
      call("POST", "/requests", { body: body("raced-name") }),
    ]);

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409]);
    const winner = answers.find((a) => a.status === 201)!;
    expect(answers.find((a) => a.status === 409)!.body).toMatchObject({ code: "NAME_TAKEN", issues: [{ field: "name" }] });
    expect((await call("GET", "/requests/raced-name")).body).toMatchObject({ id: winner.body.id });
  });

  it("hands a cancelled request's name to the next request that takes it", async () => {
    await call("POST", "/requests", { body: body("reused-name") });
    await call("DELETE", "/requests/reused-name");

    const again = await call("POST", "/requests", { body: body("reused-name") });
    const got = await call("GET", "/requests/reused-name");

    expect(again.status).toBe(201);
    expect(got.body).toMatchObject({ id: again.body.id, status: "searching" });
  });

  it("refuses a name shaped like a request id with 400 on the field name", async () => {
    const res = await call("POST", "/requests", { body: body("01JD0000000000000000000000") });

    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ field: "name", code: "looks_like_id" })]);
  });

  it("gives the block a request buys the request's name when no blockPk is given", async () => {
    const created = await call("POST", "/requests", { body: { ...body("same-name"), requireApproval: false } });

    await w.run();
    w.emu.control.advance({ minutes: 6 });
    await w.run();

    const block = await w.store.get("same-name");
    expect(block).toMatchObject({ name: "same-name" });
    expect((await call("GET", "/requests/same-name")).body).toMatchObject({ id: created.body.id, registeredPk: "same-name" });
  });
});
