import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startBenchWorld } from "../../../bench/support/world";
import { assembleLocal, localEnvironment } from "../../local/src/local-assembly";
import type { LocalHandle } from "../../local/src/local-options";
import { startLocal } from "../../local/src/start-local";
import { createConsoleOutboxNotifier } from "../src/adapters/console-outbox-notifier";
import { staticSecretSource } from "../src/adapters/secrets-source";
import { CALL_PROFILES, PURCHASE_TIMEOUT_MS, SETTLE_MARGIN_MS, type SafetyManifest } from "../src/composition/safety";
import { API_ROUTES, PLANNING_ROUTES } from "../src/contracts/routes";
import { createLocalObservability } from "../src/platform/observability/local";
import { TABLE_END, TABLE_START, renderSafetyTable } from "./support/safety-table";
import { startSchedulerHarness } from "./support/scheduler-harness";

/*
 * Every way CBM runs builds its functions through composition/, and each built function reports what it does to
 * keep money safe, read from the objects it built: which routes got the idempotency store, the limits its DynamoDB
 * clients were built with, its EC2 adapter's timeouts, and the settle wait it was given. This compares them over
 * every entry point: the Lambda handler modules (imported with a Lambda's environment), local mode as startLocal
 * builds it, `npm start -- --aws` (the same functions with AWS's endpoints) and the benches' tick.
 */

type Manifests = Record<string, SafetyManifest>;

const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: "cbm-assembly-test",
  AWS_REGION: "us-east-1",
  TABLE_NAME: "cbm-assembly-test",
  API_KEY_SECRET_ID: "cbm/api-key",
  LINK_KEY_SECRET_ID: "cbm/link-key",
  API_URL: "https://cbm.example.com",
  ACCOUNT_ID: "123456789012",
};
const HANDLERS = { api: "api", web: "web", planning: "planning-api", tick: "tick", requests: "requests", notices: "notices" } as const;

/** Each handler module as Lambda loads it: a fresh import under a Lambda's environment; its exported `safety`. */
async function lambdaManifests(): Promise<Manifests> {
  const out: Manifests = {};
  for (const [fn, file] of Object.entries(HANDLERS)) {
    vi.resetModules();
    for (const [k, v] of Object.entries(LAMBDA_ENV)) vi.stubEnv(k, v);
    try {
      const mod = (await import(`../src/composition/handlers/${file}.ts`)) as { safety?: SafetyManifest };
      if (!mod.safety) throw new Error(`handlers/${file}.ts exports no safety manifest`);
      out[fn] = mod.safety;
    } finally {
      vi.unstubAllEnvs();
    }
  }
  return out;
}

/** What `npm start -- --aws` builds: local mode's functions over AWS's endpoints (built without calling AWS). */
function awsManifests(): Manifests {
  const obs = createLocalObservability({ write: () => undefined });
  const env = localEnvironment({
    aws: { regions: ["us-east-1"], table: "cbm-self-hosted", accountId: "123456789012" },
    obs,
    notifier: createConsoleOutboxNotifier({ canReachApprover: true, print: () => undefined }),
    apiKey: staticSecretSource("k"),
    linkKey: { current: async () => "l", refresh: async () => "l" },
    apiUrl: "http://127.0.0.1:3000",
    accountId: "123456789012",
  });
  const built = assembleLocal(env);
  built.assembly.destroy();
  return built.safety;
}

let lambda: Manifests;
let local: LocalHandle;
let aws: Manifests;
let bench: SafetyManifest;
let harness: SafetyManifest;
let root: string;

beforeAll(async () => {
  lambda = await lambdaManifests();
  aws = awsManifests();
  root = mkdtempSync(join(tmpdir(), "cbm-assembly-"));
  local = await startLocal({ port: 0, seed: false, tickSeconds: 0, stateDir: join(root, "state"), print: () => undefined });
  const world = await startBenchWorld({ start: new Date().toISOString(), dynamo: local.dynamo! });
  bench = world.safety;
  await world.stop();
  const h = await startSchedulerHarness({
    dynamoEndpoint: inject("dynamoEndpoint"),
    start: new Date().toISOString(),
    requestTimeoutMs: 2_000,
  });
  harness = h.safety;
  await h.stop();
});

afterAll(async () => {
  await local?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const entryPoints = (): Record<string, Manifests> => ({ lambda, local: local.safety, aws, bench: { tick: bench } });

describe("the test harnesses' tick", () => {
  it("differs from the Lambda's only in a shorter purchase timeout, its settle wait derived as in production", () => {
    const { purchase, ec2, ...rest } = harness;
    const { purchase: lambdaPurchase, ec2: lambdaEc2, ...lambdaRest } = lambda.tick!;

    expect(rest).toEqual(lambdaRest);
    expect({ ...ec2, requestTimeoutMs: 0 }).toEqual({ ...lambdaEc2, requestTimeoutMs: 0 });
    expect(purchase).toEqual({ callTimeoutMs: 2_000, settleWaitMs: 2_000 + SETTLE_MARGIN_MS });
    expect(lambdaPurchase!.settleWaitMs - lambdaPurchase!.callTimeoutMs).toBe(purchase!.settleWaitMs - purchase!.callTimeoutMs);
  });
});

describe("the assemblies of every entry point", () => {
  it("build each function with the same safety settings as its Lambda", () => {
    for (const [entry, manifests] of Object.entries(entryPoints())) {
      for (const [fn, manifest] of Object.entries(manifests)) {
        if (fn === "usage") continue; // rides on the requests Lambda; checked against its profile below
        expect({ entry, fn, manifest }).toEqual({ entry, fn, manifest: lambda[fn] });
      }
    }
  });

  it("give every write route that can lead to a purchase an idempotency store", () => {
    // Deleting a block stops its purchases; every other write can start one (a reset budget, a new request …).
    const writes = [...API_ROUTES, ...PLANNING_ROUTES].filter((r) => !r.startsWith("GET ") && r !== "DELETE /{PK}");

    for (const manifests of Object.values(entryPoints())) {
      if (!manifests.api) continue;
      const idempotent = new Set([...manifests.api.idempotentRoutes!, ...manifests.planning!.idempotentRoutes!]);
      expect(writes.filter((r) => !idempotent.has(r))).toEqual([]);
      expect(idempotent).toContain("DELETE /requests/{id}");
    }
  });

  it("derive every settle wait from the timeout of the purchase call it protects", () => {
    for (const [entry, manifests] of Object.entries(entryPoints())) {
      for (const [fn, { ec2, purchase }] of Object.entries(manifests)) {
        if (!purchase) continue;
        expect({ entry, fn, callTimeoutMs: purchase.callTimeoutMs }).toEqual({ entry, fn, callTimeoutMs: ec2!.requestTimeoutMs });
        expect({ entry, fn, settleWaitMs: purchase.settleWaitMs }).toEqual({
          entry,
          fn,
          settleWaitMs: ec2!.requestTimeoutMs + SETTLE_MARGIN_MS,
        });
        expect(ec2!.purchaseMaxAttempts).toBe(1);
      }
    }
    expect(lambda.tick!.purchase!.callTimeoutMs).toBe(PURCHASE_TIMEOUT_MS);
    expect(lambda.requests!.purchase).toEqual(lambda.tick!.purchase);
  });

  it("bound every DynamoDB client by its function's call profile", () => {
    const profile = {
      api: "interactive",
      web: "interactive",
      planning: "interactive",
      tick: "scheduled",
      requests: "scheduled",
      notices: "scheduled",
      usage: "scheduled",
    } as const;

    for (const [entry, manifests] of Object.entries(entryPoints())) {
      for (const [fn, { dynamodb }] of Object.entries(manifests)) {
        expect({ entry, fn, dynamodb }).toEqual({ entry, fn, dynamodb: CALL_PROFILES[profile[fn as keyof typeof profile]].dynamodb });
      }
    }
  });
});

describe("docs/money-safety.md", () => {
  const page = join(import.meta.dirname, "../../../docs/money-safety.md");

  // CBM_WRITE_DOCS=1 writes the table instead (after a deliberate change of a safety setting).
  it("states the safety numbers every assembly built, in one table", () => {
    const section = (text: string) => text.slice(text.indexOf(TABLE_START), text.indexOf(TABLE_END) + TABLE_END.length);
    const table = renderSafetyTable(lambda);
    const before = readFileSync(page, "utf8");
    if (process.env.CBM_WRITE_DOCS === "1") writeFileSync(page, before.replace(section(before), table));

    const text = readFileSync(page, "utf8");

    expect(text.indexOf(TABLE_START)).toBeGreaterThan(0);
    expect(section(text)).toBe(table);
  });
});
