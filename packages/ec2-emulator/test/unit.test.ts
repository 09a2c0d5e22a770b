import { describe, expect, it } from "vitest";
import { Clock } from "../src/clock";
import { isLadderHours, LADDER_HOURS } from "../src/ladder";
import { Pricing } from "../src/pricing";
import { QueryParams } from "../src/query-parser";
import { availabilityZoneId } from "../src/regions";
import { errorXml, responseXml } from "../src/xml";

describe("duration ladder", () => {
  it("accepts only the ladder: 1–14 days by the day, 21–182 days by the week", () => {
    expect(LADDER_HOURS).toHaveLength(38);
    expect(LADDER_HOURS.every(isLadderHours)).toBe(true);
    for (const bad of [0, 12, 25, 360, 336 + 24, 500, 4368 + 168, 24.5, -24]) expect(isLadderHours(bad), String(bad)).toBe(false);
    expect([24, 336, 504, 672, 4368].every(isLadderHours)).toBe(true);
  });
});

describe("pricing", () => {
  it("is rate × count × hours in exact cents, rounded half-up", () => {
    const p = new Pricing();
    expect(p.upfrontFee("p5.48xlarge", 2, 48)).toBe("3020.54"); // 31.464 × 96 = 3020.544
    expect(p.upfrontFee("p4d.24xlarge", 1, 24)).toBe("277.68"); // 11.5702 × 24 = 277.6848
    expect(p.upfrontFee("trn2.48xlarge", 64, 4368)).toBe("6681292.80");
    expect(p.upfrontFee("unknown.type", 1, 24)).toBe("240.00");
    p.setPrice("p5.48xlarge", "0.005");
    expect(p.upfrontFee("p5.48xlarge", 1, 1)).toBe("0.01");
    expect(() => p.setPrice("p5.48xlarge", "1e3")).toThrow(/decimal string/);
  });
});

describe("clock", () => {
  it("is real by default", () => {
    const clock = new Clock(() => 1_000_000);
    expect(clock.nowMs()).toBe(1_000_000);
  });

  it("freezes when set, moving forward only when advanced", () => {
    let wall = 1_000_000;
    const clock = new Clock(() => wall);
    clock.set("2026-01-01T00:00:00Z");
    wall += 10_000;
    expect(clock.now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
    clock.advance({ hours: 1, minutes: 30 });
    expect(clock.now().toISOString()).toBe("2026-01-01T01:30:00.000Z");
    expect(() => clock.advance(-1)).toThrow(/forward/);
  });

  it("runs N× wall speed with a rate, back to real time on useRealTime", () => {
    let wall = 1_000_000;
    const clock = new Clock(() => wall);
    clock.set("2026-01-01T01:30:00Z");
    clock.setRate(60);
    wall += 60_000; // one real minute = one virtual hour
    expect(clock.now().toISOString()).toBe("2026-01-01T02:30:00.000Z");
    clock.advance(1000);
    wall += 1_000;
    expect(clock.now().toISOString()).toBe("2026-01-01T02:31:01.000Z");
    clock.useRealTime();
    expect(clock.nowMs()).toBe(wall);
  });
});

describe("query parser", () => {
  it("reads flattened lists or filters in index order whatever the key order", () => {
    const q = QueryParams.parse(
      "Filter.2.Value.2=scheduled&CapacityReservationId.10=cr-b&Filter.1.Name=instance-type&Filter.2.Name=state" +
        "&CapacityReservationId.2=cr-a&Filter.2.Value.1=active&Filter.1.Value.1=p5.48xlarge&Action=X&Space=a%20b+c",
    );
    expect(q.list("CapacityReservationId")).toEqual(["cr-a", "cr-b"]);
    expect(q.filters()).toEqual([
      { name: "instance-type", values: ["p5.48xlarge"] },
      { name: "state", values: ["active", "scheduled"] },
    ]);
    expect(q.get("Space")).toBe("a b c");
  });

  it("reads tag specifications", () => {
    const q = QueryParams.parse(
      "TagSpecification.1.ResourceType=capacity-reservation&TagSpecification.1.Tag.2.Key=b&TagSpecification.1.Tag.2.Value=2&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=1",
    );
    expect(q.tagSpecifications()).toEqual([
      {
        resourceType: "capacity-reservation",
        tags: [
          { key: "a", value: "1" },
          { key: "b", value: "2" },
        ],
      },
    ]);
  });

  it("rejects a non-integer, an out-of-range number or a non-boolean flag", () => {
    const q = QueryParams.of({ N: "1.5", M: "2000", D: "yes" });
    expect(() => q.int("N")).toThrow(/Expected an integer/);
    expect(() => q.int("M", { max: 1000 })).toThrow(/between/);
    expect(() => q.bool("D")).toThrow(/true/);
    expect(() => q.string("Missing", { required: true })).toThrow(/Missing/);
  });
});

describe("xml", () => {
  it("writes EC2's XML: camelCase elements, <item> lists, empty sets, escaped text", () => {
    const xml = responseXml("DescribeThings", "rid", { thingSet: [{ name: "a<b" }], emptySet: [], gone: undefined, n: 3, ok: true });
    expect(xml).toContain('<DescribeThingsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>rid</requestId>');
    expect(xml).toContain("<thingSet><item><name>a&lt;b</name></item></thingSet><emptySet/><n>3</n><ok>true</ok>");
    expect(xml).not.toContain("gone");
    expect(errorXml("Code.X", "m&m", "rid")).toContain(
      "<Response><Errors><Error><Code>Code.X</Code><Message>m&amp;m</Message></Error></Errors><RequestID>rid</RequestID></Response>",
    );
  });

  it("derives zone ids in AWS's shape", () => {
    expect(availabilityZoneId("us-east-1a")).toBe("use1-az1");
    expect(availabilityZoneId("us-west-2c")).toBe("usw2-az3");
    expect(availabilityZoneId("ap-southeast-2b")).toBe("apse2-az2");
  });
});
