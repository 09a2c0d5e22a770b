import { CreateApiKeyCommand } from "@aws-sdk/client-api-gateway";
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from "@aws-sdk/client-secrets-manager";
import { afterEach, describe, expect, it } from "vitest";
import { InfrastructureError, ThrottledError } from "@cbm/core";
import { RotationEventError, RotationStateError, RotationTestError } from "../src/platform/errors";
import { ROTATION_GRACE_MS } from "../src/rotation/key-plan";
import { PREFIX, rotationServices, SECRET_ARN } from "./support/rotation-services";

const DEPLOYED = JSON.stringify({ username: "web_user", api_key: "deployedKey0123456789012345678901234567" });
const T1 = "11111111-1111-4111-8111-111111111111";
const T2 = "22222222-2222-4222-8222-222222222222";

let world: ReturnType<typeof rotationServices>;
afterEach(() => world?.restore());

/** A deployed stage: the generated secret, its key already accepted by API Gateway (the first reconcile ran). */
async function deployed() {
  world = rotationServices({ secretString: DEPLOYED });
  await world.handler({ action: "reconcile-api-keys" });
  return world;
}

describe("createSecret", () => {
  it("stores a new random key as JSON in AWSPENDING, keeping the username, leaving AWSCURRENT alone", async () => {
    const w = await deployed();
    w.startRotation(T1);
    await w.step("createSecret", T1);
    const pending = JSON.parse(w.versions.get(T1)!.value!) as Record<string, string>;
    expect(pending).toEqual({ username: "web_user", api_key: expect.stringMatching(/^generatedKey1/) });
    expect(w.versions.get(T1)!.stages).toEqual(["AWSPENDING"]);
    expect(w.keyOf("AWSCURRENT")).toBe("deployedKey0123456789012345678901234567");
  });

  it("does not store a second key when Secrets Manager retries the step", async () => {
    const w = await deployed();
    w.startRotation(T1);
    await w.step("createSecret", T1);
    await w.step("createSecret", T1);
    expect(w.sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  it("turns a bare-string secret into the first release's JSON form", async () => {
    world = rotationServices({ secretString: "bareKey012345678901234567890123456789" });
    world.startRotation(T1);
    await world.step("createSecret", T1);
    expect(JSON.parse(world.versions.get(T1)!.value!)).toEqual({ username: "web_user", api_key: expect.stringMatching(/^generatedKey1/) });
  });
});

describe("setSecret", () => {
  it("makes API Gateway accept the pending key beside the current one", async () => {
    const w = await deployed();
    w.startRotation(T1);
    await w.step("createSecret", T1);
    await w.step("setSecret", T1);
    expect(w.accepted()).toEqual([w.keyOf("AWSCURRENT"), w.keyOf("AWSPENDING")].sort());
    expect(w.apigw.commandCalls(CreateApiKeyCommand).at(-1)!.args[0].input).toMatchObject({ name: `${PREFIX}${T1}`, enabled: true });
  });

  it("attaches the key an interrupted attempt created but did not attach, instead of failing on the duplicate value", async () => {
    const w = await deployed();
    w.startRotation(T1);
    await w.step("createSecret", T1);
    // The earlier attempt's CreateApiKey succeeded; it stopped before CreateUsagePlanKey.
    w.keys.set("orphan", { name: `${PREFIX}${T1}`, value: w.keyOf("AWSPENDING") });
    await w.step("setSecret", T1);
    expect(w.accepted()).toContain(w.keyOf("AWSPENDING"));
    expect([...w.keys.keys()].filter((id) => w.keys.get(id)!.value === w.keyOf("AWSPENDING"))).toEqual(["orphan"]);
  });

  it("refuses to run before createSecret has stored a key", async () => {
    const w = await deployed();
    w.startRotation(T1);
    await expect(w.step("setSecret", T1)).rejects.toBeInstanceOf(RotationStateError);
  });
});

describe("testSecret", () => {
  it("fails while API Gateway does not hold the pending key, so it never becomes current", async () => {
    const w = await deployed();
    w.startRotation(T1);
    await w.step("createSecret", T1);
    await expect(w.step("testSecret", T1)).rejects.toBeInstanceOf(RotationTestError);
    await w.step("setSecret", T1);
    await expect(w.step("testSecret", T1)).resolves.toBeUndefined();
  });

  it("passes Secrets Manager's configuration test (a pending version with no value) and gives API Gateway the deployed key", async () => {
    world = rotationServices({ secretString: DEPLOYED });
    expect(world.accepted()).toEqual([]);
    world.startRotation(T1);
    await world.step("testSecret", T1);
    expect(world.accepted()).toEqual(["deployedKey0123456789012345678901234567"]);
  });
});

describe("finishSecret", () => {
  it("makes the pending version current, the old key still accepted for the grace", async () => {
    const w = await deployed();
    const old = w.keyOf("AWSCURRENT");
    await w.rotate(T1);
    expect(w.versions.get(T1)!.stages).toEqual(["AWSCURRENT"]);
    expect(w.keyOf("AWSPREVIOUS")).toBe(old);
    expect(w.accepted()).toEqual([old, w.keyOf("AWSCURRENT")].sort());
    expect(w.sm.commandCalls(UpdateSecretVersionStageCommand)[0]!.args[0].input).toMatchObject({
      VersionStage: "AWSCURRENT",
      MoveToVersionId: T1,
      RemoveFromVersionId: "v0",
    });
  });

  it("is a no-op apart from the reconcile when Secrets Manager retries it after the move", async () => {
    const w = await deployed();
    await w.rotate(T1);
    await w.step("finishSecret", T1);
    expect(w.sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
  });

  it("takes the grace from the switch, even when the rotation's first steps ran long before", async () => {
    const w = await deployed();
    const old = w.keyOf("AWSCURRENT");
    w.startRotation(T1);
    await w.step("createSecret", T1);
    await w.step("setSecret", T1);
    await w.step("testSecret", T1);
    w.clock.advance(ROTATION_GRACE_MS * 3);
    await w.step("finishSecret", T1);
    expect(w.accepted()).toContain(old);
  });
});

describe("reconcile (every 5 minutes)", () => {
  it("removes the superseded key once the grace has passed, never earlier", async () => {
    const w = await deployed();
    const old = w.keyOf("AWSCURRENT");
    await w.rotate(T1);
    w.clock.advance(ROTATION_GRACE_MS - 1_000);
    await w.handler({ action: "reconcile-api-keys" });
    expect(w.accepted()).toContain(old);
    w.clock.advance(2_000);
    await w.handler({ action: "reconcile-api-keys" });
    expect(w.accepted()).toEqual([w.keyOf("AWSCURRENT")]);
  });

  it("after two rotations accepts only the current and, within its grace, the previous key", async () => {
    const w = await deployed();
    const first = w.keyOf("AWSCURRENT");
    await w.rotate(T1);
    w.clock.advance(60_000);
    await w.rotate(T2);
    expect(w.accepted()).toEqual([w.keyOf("AWSPREVIOUS"), w.keyOf("AWSCURRENT")].sort());
    expect(w.accepted()).not.toContain(first);
  });

  it("gives API Gateway a key put by hand with put-secret-value, even as a bare string", async () => {
    const w = await deployed();
    w.versions.get("v0")!.stages = ["AWSPREVIOUS"];
    w.versions.set("manual", { value: "handPutKey0123456789012345678901234567890", stages: ["AWSCURRENT"], created: w.clock.now() });
    await w.handler({ action: "reconcile-api-keys" });
    expect(w.accepted()).toContain("handPutKey0123456789012345678901234567890");
  });

  it("leaves keys it did not create alone", async () => {
    const w = await deployed();
    w.attachForeignKey("someone-elses-key", "foreignKey01234567890123456789");
    await w.rotate(T1);
    w.clock.advance(ROTATION_GRACE_MS * 2);
    await w.handler({ action: "reconcile-api-keys" });
    expect(w.accepted()).toEqual(["foreignKey01234567890123456789", w.keyOf("AWSCURRENT")].sort());
  });

  it("keeps the key of a rotation in progress", async () => {
    const w = await deployed();
    w.startRotation(T1);
    await w.step("createSecret", T1);
    await w.step("setSecret", T1);
    w.clock.advance(ROTATION_GRACE_MS * 2);
    await w.handler({ action: "reconcile-api-keys" });
    expect(w.accepted()).toContain(w.keyOf("AWSPENDING"));
  });
});

describe("refusals", () => {
  it("refuses a step for another secret or an event that is neither a step nor the reconcile, before any AWS call", async () => {
    const w = await deployed();
    const calls = w.sm.calls().length + w.apigw.calls().length;
    await expect(
      w.handler({ Step: "createSecret", SecretId: SECRET_ARN.replace("prod", "dev"), ClientRequestToken: T1 }),
    ).rejects.toBeInstanceOf(RotationEventError);
    await expect(w.handler({ Step: "dropTables", SecretId: SECRET_ARN, ClientRequestToken: T1 })).rejects.toBeInstanceOf(
      RotationEventError,
    );
    await expect(w.handler("reconcile")).rejects.toBeInstanceOf(RotationEventError);
    expect(w.sm.calls().length + w.apigw.calls().length).toBe(calls);
  });

  it("refuses to rotate when rotation is disabled, or for a token that is unknown or not pending", async () => {
    const w = await deployed();
    await expect(w.step("createSecret", T1)).rejects.toThrow(/no version/);
    w.versions.set(T2, { value: DEPLOYED, stages: [], created: w.clock.now() });
    await expect(w.step("createSecret", T2)).rejects.toThrow(/not AWSPENDING/);
    w.secret.rotationEnabled = false;
    w.startRotation(T1);
    await expect(w.step("createSecret", T1)).rejects.toBeInstanceOf(RotationStateError);
  });

  it("does nothing for a token that is already current (a finished rotation retried)", async () => {
    const w = await deployed();
    await w.rotate(T1);
    const puts = w.sm.commandCalls(PutSecretValueCommand).length;
    await w.step("createSecret", T1);
    await w.step("setSecret", T1);
    expect(w.sm.commandCalls(PutSecretValueCommand)).toHaveLength(puts);
  });

  it("fails with ThrottledError / InfrastructureError when API Gateway does, naming no key", async () => {
    const w = await deployed();
    w.failNextListing("TooManyRequestsException");
    await expect(w.handler({ action: "reconcile-api-keys" })).rejects.toBeInstanceOf(ThrottledError);
    w.failNextListing("AccessDeniedException");
    const err = await w.handler({ action: "reconcile-api-keys" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureError);
    expect((err as Error).message).toBe("GetUsagePlanKeys failed (AccessDeniedException)");
  });
});

describe("logs", () => {
  it("never write a key, through a whole rotation with its reconciles", async () => {
    const w = await deployed();
    await w.rotate(T1);
    w.clock.advance(ROTATION_GRACE_MS * 2);
    await w.handler({ action: "reconcile-api-keys" });
    const everyKey = [...w.versions.values()]
      .map((v) => (v.value ? (JSON.parse(v.value) as { api_key: string }).api_key : ""))
      .filter(Boolean);
    expect(everyKey).toHaveLength(2);
    expect(w.logLines.length).toBeGreaterThan(3);
    for (const line of w.logLines) for (const key of everyKey) expect(line).not.toContain(key);
  });
});
