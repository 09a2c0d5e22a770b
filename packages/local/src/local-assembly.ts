import type { Clock, Notifier } from "@cbm/core";
import {
  assembleApi,
  assemblePlanning,
  assembleReminders,
  assembleRequestWorker,
  assembleTick,
  assembleUsageSampler,
  assembleWeb,
  createAssembly,
  createDynamoBlockStore,
  createDynamoIdempotency,
  isWebPath,
  systemClock,
  type Assembly,
  type Environment,
  type RefreshableSecretSource,
  type SafetyManifest,
  type createLocalObservability,
} from "@cbm/functions";
import type { AwsModeOptions } from "./local-options";
import { withPlanning } from "./planning";

/** Credentials DynamoDB Local and the emulator accept (DynamoDB Local wants letters and digits only). */
export const LOCAL_CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };
export const LOCAL_TABLE = "cbm-local";

/** What local mode runs in place of AWS (absent with --aws). */
export interface LocalServices {
  dynamodbEndpoint: string;
  ec2Endpoint: string;
  clock: Clock;
}

export interface LocalEnvironmentInput {
  aws?: AwsModeOptions;
  services?: LocalServices;
  obs: Pick<ReturnType<typeof createLocalObservability>, "logger" | "metrics">;
  notifier: Notifier;
  apiKey: RefreshableSecretSource;
  linkKey: { current(): Promise<string>; refresh(): Promise<string> };
  apiUrl: string;
  accountId: string;
}

/**
 * Local mode's environment, the only place it differs from a Lambda's: the endpoints (DynamoDB Local and the
 * emulator, or AWS with --aws), the clock (the emulator's), the notifier (the outbox, plus SNS with a topic) and
 * where the secrets come from (files in the state folder). Every limit, wait and idempotency store is the assembly's.
 */
export function localEnvironment(input: LocalEnvironmentInput): Environment {
  const { aws, services } = input;
  if (!aws && !services) throw new Error("localEnvironment: either --aws or the local services");
  return {
    tableName: aws?.table ?? LOCAL_TABLE,
    region: aws?.regions[0] ?? "us-east-1",
    endpoints: services ? { dynamodb: services.dynamodbEndpoint, ec2: services.ec2Endpoint } : {},
    ...(services ? { credentials: LOCAL_CREDENTIALS } : {}),
    clock: services?.clock ?? systemClock,
    logger: () => input.obs.logger,
    metrics: () => input.obs.metrics,
    notifier: input.notifier,
    apiKey: input.apiKey,
    linkKey: input.linkKey,
    linkRecipient: aws?.topicArn ? "approval topic" : "outbox",
    apiUrl: input.apiUrl,
    accountId: input.accountId,
  };
}

/** Every function local mode serves and runs, built as the Lambdas are; `safety` is what each one built. */
export function assembleLocal(env: Environment) {
  const assembly: Assembly = createAssembly(env);
  const api = assembleApi(assembly);
  const web = assembleWeb(assembly);
  const planning = assemblePlanning(assembly);
  // No notices function of its own locally: the tick sweeps the expiry reminders (at most every 5 minutes).
  const tick = assembleTick(assembly, { reminders: assembleReminders(assembly) });
  const requests = assembleRequestWorker(assembly);
  const usage = assembleUsageSampler(assembly);
  // As API Gateway does in AWS: the browser pages go to their own function, planning paths to theirs, the rest to the API.
  const pages = (event: Parameters<typeof api.fn>[0], context: Parameters<typeof api.fn>[1]) =>
    isWebPath(event.path) ? web.fn(event, context) : api.fn(event, context);
  const http = withPlanning(pages, planning.fn);
  const safety: Record<string, SafetyManifest> = {
    api: api.safety,
    web: web.safety,
    planning: planning.safety,
    tick: tick.safety,
    requests: requests.safety,
    usage: usage.safety,
  };
  return { assembly, http, tick: tick.fn(env.accountId!), runRequests: requests.fn, usage, safety };
}

/**
 * DynamoDB Local answers the first calls of each kind slowly (its JVM compiles them, each client opens its first
 * connection): on a busy laptop the first request after `npm start` could exceed the API's 1.25 s budget and get a
 * 503. One read, one due-index query and one idempotency record through each of the assembly's clients first.
 */
export async function warmUp(assembly: Assembly, tableName: string): Promise<void> {
  for (const profile of ["interactive", "scheduled"] as const) {
    const { doc, base } = assembly.dynamo(profile);
    const store = createDynamoBlockStore({ client: doc, tableName });
    const idempotency = createDynamoIdempotency<null>({ client: base, tableName });
    for (let i = 0; i < 2; i++) {
      await store.get("_local-warm-up").catch(() => undefined);
      await store.findDue(new Date(0).toISOString(), { limit: 1 }).catch(() => undefined);
      await idempotency.once(`_local-warm-up-${profile}-${i}`, null, async () => null).catch(() => undefined);
    }
  }
}
