import { describe, expect, it } from "vitest";
import {
  adminEmail,
  DEFAULT_PROTECTED_STAGES,
  isProtectedStage,
  parameterNames,
  purchaseRegions,
  refuseProtectedStagesVariable,
  tickTimingEnvironment,
} from "../stage.js";

describe("isProtectedStage", () => {
  it.each(["prod", "production", "staging"])("protects %s by default", (stage) => {
    expect(isProtectedStage(stage, [])).toBe(true);
  });

  it.each(["dev", "test", "alice", "pr-42", "Prod", ""])("treats %j as disposable", (stage) => {
    expect(isProtectedStage(stage, [])).toBe(false);
  });

  it("adds the stages recorded in stacks/protected-stages.ts", () => {
    expect(isProtectedStage("live", ["live", "prd"])).toBe(true);
    expect(isProtectedStage("dev", ["live", "prd"])).toBe(false);
  });

  it("keeps the default protected stages beside the recorded ones", () => {
    for (const stage of DEFAULT_PROTECTED_STAGES) expect(isProtectedStage(stage, ["live"])).toBe(true);
  });

  it("refuses CBM_PROTECTED_STAGES, so a stage's protection never depends on the deploy's shell", () => {
    expect(() => refuseProtectedStagesVariable({ CBM_PROTECTED_STAGES: "live" })).toThrow(/stacks\/protected-stages\.ts/);
    expect(() => refuseProtectedStagesVariable({})).not.toThrow();
  });
});

describe("parameterNames", () => {
  it("follows the original README's /cbm/<name>/apiUrl and /cbm/<name>/apiSecretName, per stage", () => {
    expect(parameterNames("prod")).toEqual({ apiUrl: "/cbm/prod/apiUrl", apiSecretName: "/cbm/prod/apiSecretName" });
  });
});

describe("adminEmail", () => {
  it("is undefined when unset or blank, so no topic is created", () => {
    expect(adminEmail({})).toBeUndefined();
    expect(adminEmail({ ADMIN_EMAIL: "  " })).toBeUndefined();
  });

  it("is the trimmed address when set", () => {
    expect(adminEmail({ ADMIN_EMAIL: " ops@example.com " })).toBe("ops@example.com");
  });
});

describe("tickTimingEnvironment", () => {
  it("passes on the timing overrides the deployer set, nothing else", () => {
    expect(tickTimingEnvironment({})).toEqual({});
    expect(tickTimingEnvironment({ APPROVAL_REMINDER_MINUTES: " 240 ", PAYMENT_ALERT_MINUTES: "180", OTHER: "1" })).toEqual({
      APPROVAL_REMINDER_MINUTES: "240",
      PAYMENT_ALERT_MINUTES: "180",
    });
  });

  it("fails the deploy on a value that is not a whole number of minutes", () => {
    expect(() => tickTimingEnvironment({ APPROVAL_LAST_CALL_MINUTES: "1.5" })).toThrow(/APPROVAL_LAST_CALL_MINUTES/);
    expect(() => tickTimingEnvironment({ APPROVAL_REMINDER_MINUTES: "0" })).toThrow(/whole number/);
  });
});

describe("purchaseRegions (CBM_REGIONS)", () => {
  it("is undefined when unset or blank: purchases stay allowed in every region", () => {
    expect(purchaseRegions({})).toBeUndefined();
    expect(purchaseRegions({ CBM_REGIONS: " , " })).toBeUndefined();
  });

  it("lists the regions named, trimmed, sorted, once each", () => {
    expect(purchaseRegions({ CBM_REGIONS: " us-west-2,us-east-1 ,us-west-2, ap-northeast-1" })).toEqual([
      "ap-northeast-1",
      "us-east-1",
      "us-west-2",
    ]);
  });

  it("fails the deploy on a name that is not a region", () => {
    expect(() => purchaseRegions({ CBM_REGIONS: "us-east-1,useast1" })).toThrow(/CBM_REGIONS: 'useast1'/);
    expect(() => purchaseRegions({ CBM_REGIONS: "*" })).toThrow(/not an AWS region/);
  });
});
