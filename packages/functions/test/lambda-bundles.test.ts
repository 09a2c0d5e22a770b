import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { compareMoney } from "@cbm/core";
import { buildLikeSst, bytesFrom, type BundleInputs } from "../../../stacks/bundling";
import { apiEvent } from "./support/api";
import { ACCOUNT, useSchedulerHarness } from "./support/scheduler-harness";

/*
 * The handlers as `sst deploy` bundles them (SST's esbuild, stacks/bundling.ts's plugins), run in a fresh Node
 * process with a Lambda-like environment against DynamoDB Local and the EC2 emulator: the deployed artifact, not
 * the sources the other tests import. Credentials come only from the environment, as in Lambda.
 */

const handlersDir = join(import.meta.dirname, "../src/composition/handlers");
const outDir = mkdtempSync(join(tmpdir(), "cbm-bundles-"));
const bundles: Record<string, { file: string; inputs: BundleInputs }> = {};

beforeAll(async () => {
  for (const name of ["api", "tick", "rotate-api-key"]) {
    const file = join(outDir, `${name}.mjs`);
    bundles[name] = { file, inputs: await buildLikeSst(join(handlersDir, `${name}.ts`), file) };
  }
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const LAMBDA_ENV = {
  PATH: process.env.PATH,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDLOCAL",
  AWS_SECRET_ACCESS_KEY: "local",
  AWS_SESSION_TOKEN: "session",
  ACCOUNT_ID: ACCOUNT,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

/** Imports a bundle in a fresh `node`, calls its handler once per event, returns the results. */
function invoke(file: string, env: Record<string, string | undefined>, events: unknown[]): Promise<unknown[]> {
  const script = `
    const { handler } = await import(${JSON.stringify(file)});
    const context = { awsRequestId: "bundle-test", getRemainingTimeInMillis: () => 50000 };
    const out = [];
    for (const e of JSON.parse(process.env.CBM_EVENTS)) out.push(await handler(e, context));
    process.stderr.write("\\nRESULTS " + JSON.stringify(out) + "\\n");`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env: { ...env, CBM_EVENTS: JSON.stringify(events) } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    child.on("exit", (code) => {
      const line = stderr.split("\n").find((l) => l.startsWith("RESULTS "));
      if (code !== 0 || !line) reject(new Error(`bundle exited with ${code}:\n${stderr}`));
      else resolve(JSON.parse(line.slice("RESULTS ".length)) as unknown[]);
    });
  });
}

describe("what goes into the Lambda bundles", () => {
  it("keeps only the EC2 schemas the tick uses (1.3 MB file, all of it kept without the plugin)", () => {
    const ec2Schemas = bytesFrom(bundles.tick!.inputs, /client-ec2[\\/]dist-es[\\/]schemas[\\/]/);
    expect(ec2Schemas).toBeGreaterThan(1_000);
    expect(ec2Schemas).toBeLessThan(40_000);
  });

  it("carries only the DynamoDB commands the handler names, not the client's whole namespace", () => {
    for (const name of ["api", "tick", "rotate-api-key"]) {
      const inputs = Object.keys(bundles[name]!.inputs);
      // The aggregated client and the waiters come only with a namespace (e.g. a bundled `await import(...)`): 55 KB.
      expect(inputs.filter((p) => /client-dynamodb[\\/]dist-es[\\/](?:DynamoDB\.js|waiters[\\/])/.test(p))).toEqual([]);
    }
  });

  it("carries the environment credential provider, none of the rest of the default chain", () => {
    for (const name of ["api", "tick", "rotate-api-key"]) {
      const inputs = Object.keys(bundles[name]!.inputs);
      expect(inputs.some((p) => p.includes("credential-provider-env"))).toBe(true);
      expect(
        inputs.filter((p) => /credential-provider-(?:ini|sso|process|web-identity|http)|nested-clients|credential-provider-imds/.test(p)),
      ).toEqual([]);
    }
  });
});

describe("the bundled tick against DynamoDB Local and the EC2 emulator", () => {
  const harness = useSchedulerHarness({ start: new Date().toISOString() });

  it("buys one extension for a block whose window is open, no second one on the next tick", async () => {
    const h = await harness();
    // Capacity blocks end at 11:30 UTC. The bundled tick runs on the real clock, so the end is the next 11:30 at
    // least 2 h away: past the last 65 min before an end, when EC2 sells no extension (an hour's margin once made
    // this test fail between 10:25 and 10:30 UTC), and inside the default 48 h lookahead.
    const earliest = h.clock.now().getTime() + 2 * 3_600_000;
    const end = new Date(earliest);
    end.setUTCHours(11, 30, 0, 0);
    if (end.getTime() < earliest) end.setUTCDate(end.getUTCDate() + 1);
    const block = await h.register({ endDate: end.toISOString(), policy: { requireApproval: false } });
    const env = {
      ...LAMBDA_ENV,
      AWS_LAMBDA_FUNCTION_NAME: "cbm-tick",
      TABLE_NAME: h.tableName,
      DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
      EC2_ENDPOINT: h.emu.url,
    };

    await invoke(bundles.tick!.file, env, [{}, {}]);

    const purchases = h.ledger(block.capacityReservationId);
    expect(purchases).toHaveLength(1);
    const stored = await h.get(block.PK);
    expect(stored.status).toBe("payment-pending");
    expect(stored.pendingExtension?.offeringId).toBe(purchases[0]!.offeringId);
    expect(compareMoney(stored.spent, purchases[0]!.upfrontFee)).toBe(0);
    expect(stored.lastPurchaseWindow).toBe(end.toISOString());
    expect((await h.events(block.PK)).map((e) => e.type)).toContain("purchased");
  });
});

describe("the bundled API", () => {
  const KEY = "bundle-key-0123456789";
  let secrets: Server;
  let secretsUrl = "";
  beforeAll(async () => {
    // Secrets Manager has no local emulator; this answers GetSecretValue (JSON 1.1 protocol) with the key.
    secrets = createServer((req, res) => {
      req.resume();
      const ok = req.headers["x-amz-target"] === "secretsmanager.GetSecretValue";
      res.writeHead(ok ? 200 : 400, { "content-type": "application/x-amz-json-1.1" });
      // As deployed: the first release's JSON, the key in api_key.
      const SecretString = JSON.stringify({ username: "web_user", api_key: KEY });
      res.end(
        JSON.stringify(
          ok
            ? { ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cbm", Name: "cbm", SecretString }
            : { __type: "InvalidRequestException" },
        ),
      );
    });
    await new Promise<void>((r) => secrets.listen(0, "127.0.0.1", r));
    const addr = secrets.address();
    secretsUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => secrets.close(() => r())));

  const harness = useSchedulerHarness({ start: new Date().toISOString() });

  it("answers with the key from Secrets Manager, refusing a wrong one", async () => {
    const h = await harness();
    const block = await h.register({ endDate: "2030-01-07T11:30:00.000Z", name: "bundled" });
    const env = {
      ...LAMBDA_ENV,
      AWS_LAMBDA_FUNCTION_NAME: "cbm-api",
      TABLE_NAME: h.tableName,
      DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
      API_KEY_SECRET_ID: "cbm",
      SECRETS_ENDPOINT: secretsUrl,
    };
    const [ok, list, wrong] = (await invoke(bundles.api!.file, env, [
      apiEvent("GET", `/${block.PK}`, { apiKey: KEY }),
      apiEvent("GET", "/", { apiKey: KEY }),
      apiEvent("GET", `/${block.PK}`, { apiKey: "not-the-key-0123456789" }),
    ])) as { statusCode: number; body: string }[];
    expect(ok!.statusCode).toBe(200);
    expect(JSON.parse(ok!.body)).toMatchObject({ PK: block.PK, name: "bundled", capacityReservationId: block.capacityReservationId });
    expect(list!.statusCode).toBe(200);
    expect(JSON.parse(list!.body).map((b: { PK: string }) => b.PK)).toEqual([block.PK]);
    expect(wrong!.statusCode).toBe(403);
  });
});

describe("the bundled rotation function", () => {
  it("composes at cold start from its Lambda environment, refusing an event that is neither a step nor the reconcile", async () => {
    const env = {
      ...LAMBDA_ENV,
      AWS_LAMBDA_FUNCTION_NAME: "cbm-rotate-api-key",
      API_KEY_SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:/cbm/test/apiSecretName-AbCdEf",
      USAGE_PLAN_ID: "plan123",
      API_KEY_NAME_PREFIX: "test-api-key-",
    };
    // Refused before any AWS call, so no endpoint is needed: what is tested is that the bundle loads and composes.
    await expect(invoke(bundles["rotate-api-key"]!.file, env, [{ Step: "deleteEverything" }])).rejects.toThrow(
      /RotationEventError|Not a rotation step/,
    );
  });
});
