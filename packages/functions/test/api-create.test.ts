import { describe, expect, it } from "vitest";
import { crId } from "./support/blocks";
import { newBlock, useBlockApi } from "./support/block-api";

const { api, created } = useBlockApi();

describe("create", () => {
  it("creates with defaults: 201, effective policy, PK from the reservation id, history 'created'", async () => {
    const input = newBlock();
    const res = await api.call("POST", "/", { body: input, headers: { "x-cbm-actor": "cli:alice" } });
    expect(res.status).toBe(201);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.body).toMatchObject({
      PK: input.capacityReservationId,
      region: "us-east-1",
      version: 1,
      approved: false,
      status: "registered",
    });
    expect(res.body.policy).toMatchObject({ extendByDays: 7, lookaheadHours: 48, requireApproval: true, enabled: true });
    expect(res.body.warnings).toBeUndefined();
    expect(res.headers.etag).toBe('"1"');

    const got = await api.call("GET", `/${input.capacityReservationId}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);

    const hist = await api.call("GET", `/${input.capacityReservationId}/history`);
    expect(hist.body).toHaveLength(1);
    expect(hist.body[0]).toMatchObject({ type: "created", actor: "cli:alice" });
  });

  it("400 (field PK) for a PK the API could not address, storing nothing", async () => {
    for (const PK of ["openapi.json", ".", ".."]) {
      const res = await api.call("POST", "/", { body: newBlock({ PK }) });
      expect(res.status, PK).toBe(400);
      expect(res.body.issues.map((i: { field: string }) => i.field)).toEqual(["PK"]);
    }
    const stored = (await api.call("GET", "/", { query: { limit: "100" } })).body.map((b: { PK: string }) => b.PK);
    expect(stored.filter((pk: string) => ["openapi.json", ".", ".."].includes(pk))).toEqual([]);
  });

  it("409 ALREADY_EXISTS for a taken PK", async () => {
    const b = await created();
    const res = await api.call("POST", "/", { body: newBlock({ PK: b.PK }) });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "ALREADY_EXISTS" });
  });

  it("accepts the first release's field names as aliases", async () => {
    const id = crId();
    const res = await api.call("POST", "/", {
      body: {
        capacity_block_id: id,
        end_time: "2026-03-10T11:30:00Z",
        extend_by_days: 14,
        extension_lookahead_days: 3,
        require_approval: false,
        instance_type: "p5.48xlarge",
        region: "us-west-2",
        name: "legacy",
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      PK: id,
      capacityReservationId: id,
      instanceType: "p5.48xlarge",
      region: "us-west-2",
      name: "legacy",
      endDate: "2026-03-10T11:30:00.000Z",
    });
    expect(res.body.policy).toMatchObject({ extendByDays: 14, lookaheadHours: 72, requireApproval: false });
  });

  it("returns warnings in the body only when there are some", async () => {
    const res = await api.call("POST", "/", { body: newBlock({ policy: { lookaheadHours: 6 } }) });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([expect.stringContaining("lookaheadHours 6")]);
  });

  it("400 VALIDATION_FAILED naming each field at fault, unknown fields included", async () => {
    const res = await api.call("POST", "/", {
      body: newBlock({ capacityReservationId: "cr nope", policy: { extendByDays: 15 }, color: "red" }),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    const fields = res.body.issues.map((i: { field: string }) => i.field).sort();
    expect(fields).toEqual(["capacityReservationId", "color", "policy.extendByDays"]);
    for (const issue of res.body.issues)
      expect(issue).toEqual({ field: expect.any(String), message: expect.any(String), code: expect.any(String) });
  });
});
