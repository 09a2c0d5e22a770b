// The secret's contract (JSON with `api_key`, or a bare key) is read by the one parser the API function uses.
import { parseApiKeySecret } from "@cbm/functions/contracts";
import { CliError, EXIT } from "./errors";
import { findLocalDir, readLocalApi } from "./local-files";

export interface ApiTarget {
  apiUrl: string;
  apiKey: string;
  /** Where it came from, for `--verbose`-style hints in errors. */
  source: "flags" | "stage" | "env" | "local";
}

export interface ResolveApiInput {
  apiUrl?: string;
  apiKey?: string;
  stage?: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** SSM parameter names of a deployed stage, as the original README publishes them. */
export const stageParameters = (stage: string) => ({ apiUrl: `/cbm/${stage}/apiUrl`, apiSecretName: `/cbm/${stage}/apiSecretName` });

async function fromStage(stage: string): Promise<{ apiUrl: string; apiKey: string }> {
  const names = stageParameters(stage);
  // Loaded only here: most commands never need the SDK, and loading it costs more than the rest of a run.
  const [{ GetSecretValueCommand, SecretsManagerClient }, { GetParameterCommand, SSMClient }] = await Promise.all([
    import("@aws-sdk/client-secrets-manager"),
    import("@aws-sdk/client-ssm"),
  ]);
  const ssm = new SSMClient({});
  const sm = new SecretsManagerClient({});
  try {
    const [url, secretName] = await Promise.all(
      [names.apiUrl, names.apiSecretName].map(async (Name) => (await ssm.send(new GetParameterCommand({ Name }))).Parameter?.Value),
    );
    if (!url || !secretName) throw new CliError(`Stage '${stage}': SSM parameters ${names.apiUrl} / ${names.apiSecretName} are empty`);
    const secret = await sm.send(new GetSecretValueCommand({ SecretId: secretName }));
    const parsed = parseApiKeySecret(secret.SecretString);
    if (!parsed.ok) throw new CliError(`Stage '${stage}': secret ${secretName} holds no API key (${parsed.reason})`);
    return { apiUrl: url, apiKey: parsed.apiKey };
  } catch (e) {
    if (e instanceof CliError) throw e;
    const name = (e as { name?: string }).name ?? "Error";
    const msg = (e as Error).message ?? String(e);
    throw new CliError(`Cannot read stage '${stage}' from SSM/Secrets Manager (${name}): ${msg}`);
  } finally {
    ssm.destroy();
    sm.destroy();
  }
}

/**
 * Finds the API to talk to, first match wins: `--api-url`/`--api-key`; `--stage` (SSM `/cbm/<stage>/apiUrl` and
 * `/cbm/<stage>/apiSecretName` → Secrets Manager, the secret's `api_key` member); env `CBM_API_URL`/`CBM_API_KEY` (or the README's
 * `API_URL`/`API_KEY`); the local mode's `.cbm/local/api-url` and `api-key`. URL and key may come from different places
 * (e.g. a URL flag and the key from env).
 */
export async function resolveApi(input: ResolveApiInput): Promise<ApiTarget> {
  let apiUrl = input.apiUrl;
  let apiKey = input.apiKey;
  let source: ApiTarget["source"] = "flags";
  if ((!apiUrl || !apiKey) && input.stage) {
    const s = await fromStage(input.stage);
    apiUrl ??= s.apiUrl;
    apiKey ??= s.apiKey;
    source = "stage";
  }
  if (!apiUrl || !apiKey) {
    const envUrl = input.env.CBM_API_URL ?? input.env.API_URL;
    const envKey = input.env.CBM_API_KEY ?? input.env.API_KEY;
    if ((!apiUrl && envUrl) || (!apiKey && envKey)) source = "env";
    apiUrl ??= envUrl || undefined;
    apiKey ??= envKey || undefined;
  }
  if (!apiUrl || !apiKey) {
    const dir = findLocalDir(input.cwd, input.env);
    if (dir) {
      const l = readLocalApi(dir);
      if ((!apiUrl && l.apiUrl) || (!apiKey && l.apiKey)) source = "local";
      apiUrl ??= l.apiUrl;
      apiKey ??= l.apiKey;
    }
  }
  if (!apiUrl || !apiKey) {
    throw new CliError(
      `No CBM API ${!apiUrl ? "URL" : "key"} found. Start local mode with \`npm start\`, or pass --api-url and --api-key, ` +
        "or set CBM_API_URL and CBM_API_KEY, or use --stage <name> for a deployed stage.",
      EXIT.usage,
    );
  }
  try {
    new URL(apiUrl);
  } catch {
    throw new CliError(`The API URL '${apiUrl}' is not a URL`, EXIT.usage);
  }
  return { apiUrl, apiKey, source };
}
