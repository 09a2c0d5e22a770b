import { describe, expect, it } from "vitest";
import { CreateBlockBody } from "../src/blocks/wire/block-body";
import { parseCreateRequest } from "../src/requests/wire/request-body";
import { RESERVED_PKS } from "../src/platform/http/reserved-keys";

const BODY = { capacityReservationId: "cr-0a1b2c3d4e5f60718", region: "us-east-1" };
const REQUEST = {
  instanceType: "p5.48xlarge",
  durationDays: 1,
  latestStart: "2031-01-10T00:00:00Z",
  maxUpfrontFee: "1000",
};

describe("keys the API cannot address", () => {
  it("reserves the first segment of every other route, the dot segments, local mode's _local", () => {
    expect([...RESERVED_PKS].sort()).toEqual([".", "..", "_local", "console", "link", "offerings", "openapi.json", "reports", "requests"]);
  });

  it.each(RESERVED_PKS)("refuses %s as a block's PK, naming the field", (pk) => {
    const parsed = CreateBlockBody.safeParse({ ...BODY, PK: pk });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["PK"]);
  });

  it("refuses a reserved key as the PK a capacity request will register its block under", () => {
    expect(() => parseCreateRequest({ ...REQUEST, blockPk: "team-a" })).not.toThrow();
    expect(() => parseCreateRequest({ ...REQUEST, blockPk: "console" })).toThrow(/blockPk/);
  });

  it("accepts a key that only starts like a route", () => {
    expect(CreateBlockBody.safeParse({ ...BODY, PK: "requests-2026" }).success).toBe(true);
  });
});
