import { describe, expect, it } from "vitest";
import { adminEmail, DEFAULT_PROTECTED_STAGES, isProtectedStage, parameterNames } from "../stage.js";

describe("isProtectedStage", () => {
  it.each(["prod", "production", "staging"])("protects %s by default", (stage) => {
    expect(isProtectedStage(stage, undefined)).toBe(true);
  });

  it.each(["dev", "test", "alice", "pr-42", "Prod", ""])("treats %j as disposable", (stage) => {
    expect(isProtectedStage(stage, undefined)).toBe(false);
  });

  it("adds the stages listed in CBM_PROTECTED_STAGES and keeps the defaults", () => {
    expect(isProtectedStage("live", " live , prd,")).toBe(true);
    expect(isProtectedStage("prd", "live,prd")).toBe(true);
    expect(isProtectedStage("dev", "live,prd")).toBe(false);
    for (const stage of DEFAULT_PROTECTED_STAGES) expect(isProtectedStage(stage, "live")).toBe(true);
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
