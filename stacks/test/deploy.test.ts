import { afterAll, describe, expect, it, vi } from "vitest";
import { DEV_BUYING_NOTICE } from "../dev-mode.js";
import { AUTO_APPROVAL_NOTICE, AUTO_APPROVAL_VARIABLE } from "../stage.js";
import { cleanUp, onlyResource, synthesize } from "./synth.js";
import { props } from "./templates.js";

/*
 * Deploy-time traps, synthesized as `sst deploy` and `sst dev` would: a setting that would fail later and quietly
 * fails the synth, a stage's protection does not depend on a variable in the deploying shell, and `sst dev` does not
 * run the jobs that buy unless asked.
 */
afterAll(cleanUp);

describe("deploy-time settings are checked at synth", () => {
  it("fails the deploy on an EXPIRY_REMINDERS the notices function would refuse at every cold start", async () => {
    await expect(synthesize({ stage: "dev", env: { EXPIRY_REMINDERS: "7 days" } })).rejects.toThrow(/EXPIRY_REMINDERS: '7 days'/);
  });

  it("passes a valid EXPIRY_REMINDERS on to the notices function", async () => {
    const v = await synthesize({ stage: "dev", env: { EXPIRY_REMINDERS: "3d,6h" } });
    const fn = props(onlyResource(v.templates.Notices, "AWS::Lambda::Function", "NoticesHandler"));
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables.EXPIRY_REMINDERS).toBe("3d,6h");
  });

  it("fails the deploy on a LOG_LEVEL the functions do not know", async () => {
    await expect(synthesize({ stage: "dev", env: { LOG_LEVEL: "verbose" } })).rejects.toThrow(/LOG_LEVEL must be one of/);
  });

  it("passes LOG_LEVEL on to the functions", async () => {
    const v = await synthesize({ stage: "dev", env: { LOG_LEVEL: "debug" } });
    const fn = props(onlyResource(v.templates.Jobs, "AWS::Lambda::Function", "Tick"));
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables.LOG_LEVEL).toBe("debug");
  });

  it("refuses CBM_PROTECTED_STAGES: protection is recorded in stacks/protected-stages.ts, not re-read at each deploy", async () => {
    await expect(synthesize({ stage: "live", env: { CBM_PROTECTED_STAGES: "live" } })).rejects.toThrow(/stacks\/protected-stages\.ts/);
  });

  it("keeps a protected stage's table protected in a deploy from a shell with no protection variable at all", async () => {
    const v = await synthesize({ stage: "prod" });
    const table = onlyResource(v.templates.Database, "AWS::DynamoDB::Table");
    expect(props(table).DeletionProtectionEnabled).toBe(true);
    expect(table.resource.DeletionPolicy).toBe("Retain");
  });
});

describe("sst dev and the jobs that buy", () => {
  const rules = async (mode: "dev" | "deploy", env: Record<string, string> = {}) => {
    const v = await synthesize({ stage: "alice", mode, env });
    return ["Scheduler", "RequestsScheduler"].map((id) => props(onlyResource(v.templates.Jobs, "AWS::Events::Rule", id)).State);
  };

  it("deploys the tick's and the request worker's schedules disabled under sst dev, and says so", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(await rules("dev")).toEqual(["DISABLED", "DISABLED"]);
    expect(warn).toHaveBeenCalledWith(DEV_BUYING_NOTICE);
    warn.mockRestore();
  });

  it("schedules them under sst dev when asked with CBM_DEV_BUYING=1", async () => {
    expect(await rules("dev", { CBM_DEV_BUYING: "1" })).toEqual(["ENABLED", "ENABLED"]);
  });

  it("always schedules them under sst deploy", async () => {
    expect(await rules("deploy")).toEqual(["ENABLED", "ENABLED"]);
  });
});

describe("a deploy without ADMIN_EMAIL", () => {
  const webEnvironment = (v: Awaited<ReturnType<typeof synthesize>>) =>
    (props(onlyResource(v.templates.Api, "AWS::Lambda::Function", "WebHandler")).Environment as { Variables: Record<string, unknown> })
      .Variables;

  it("says before it proceeds that purchases needing approval are approved automatically, telling the console too", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);

    const v = await synthesize({ stage: "dev" });

    expect(warn).toHaveBeenCalledWith(AUTO_APPROVAL_NOTICE);
    expect(AUTO_APPROVAL_NOTICE).toMatch(/ADMIN_EMAIL is not set.*APPROVED AUTOMATICALLY.*ADMIN_EMAIL=you@example\.com/);
    expect(webEnvironment(v)[AUTO_APPROVAL_VARIABLE]).toBe("on");
    warn.mockRestore();
  });

  it("with ADMIN_EMAIL, says nothing of the kind, to the console neither", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);

    const v = await synthesize({ stage: "dev", adminEmail: "ops@example.com" });

    expect(warn).not.toHaveBeenCalledWith(AUTO_APPROVAL_NOTICE);
    expect(webEnvironment(v)).not.toHaveProperty(AUTO_APPROVAL_VARIABLE);
    warn.mockRestore();
  });
});
