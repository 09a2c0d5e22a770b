import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "../src/errors";
import { resolveApi } from "../src/resolve-api";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// The deployed stage as SSM and Secrets Manager hold it; the CLI reads them with the default credential chain.
const ssm = mockClient(SSMClient);
const sm = mockClient(SecretsManagerClient);
const URL = "https://abc123.execute-api.us-east-1.amazonaws.com/prod";
const env = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" };
const saved = { ...process.env };

beforeEach(() => {
  ssm.reset();
  sm.reset();
  Object.assign(process.env, env);
  ssm.on(GetParameterCommand, { Name: "/cbm/prod/apiUrl" }).resolves({ Parameter: { Value: URL } });
  ssm.on(GetParameterCommand, { Name: "/cbm/prod/apiSecretName" }).resolves({ Parameter: { Value: "/cbm/prod/apiSecretName" } });
});
afterAll(() => {
  ssm.restore();
  sm.restore();
  for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
});

describe("--stage: the key from the deployed secret", () => {
  it("uses the api_key member of the JSON secret named by /cbm/<stage>/apiSecretName", async () => {
    sm.on(GetSecretValueCommand, { SecretId: "/cbm/prod/apiSecretName" }).resolves({
      SecretString: '{"username":"web_user","api_key":"k-json"}',
    });
    expect(await resolveApi({ stage: "prod", env: {}, cwd: "/" })).toEqual({ apiUrl: URL, apiKey: "k-json", source: "stage" });
  });

  it("still takes a bare-string secret as the key", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: "k-bare\n" });
    expect((await resolveApi({ stage: "prod", env: {}, cwd: "/" })).apiKey).toBe("k-bare");
  });

  it("says which secret holds no key instead of sending its JSON as the key", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"web_user"}' });
    const err = await resolveApi({ stage: "prod", env: {}, cwd: "/" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toMatch(/secret \/cbm\/prod\/apiSecretName holds no API key/);
  });
});
