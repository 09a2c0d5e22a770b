import { ConfigError } from "@cbm/core";
import { limitsOf } from "../adapters/call-limits";
import { createDynamoBlockStore } from "../adapters/dynamo-block-store";
import { createDynamoHistoryStore } from "../adapters/dynamo-history-store";
import { createDynamoIdempotency } from "../adapters/dynamo-idempotency";
import { createDynamoSessionStore } from "../adapters/dynamo-session-store";
import { createDynamoLinkStore } from "../adapters/dynamo-link-store";
import { createDynamoRequestStore } from "../adapters/dynamo-request-store";
import { createDynamoUsageStore } from "../adapters/dynamo-usage-store";
import { createEc2BlockMarket } from "../adapters/ec2-block-market";
import { ec2SettingsOf } from "../adapters/ec2-capacity-provider";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import { createApiHandler } from "./create-api-handler";
import { createPlanningHandler } from "./create-planning-handler";
import { createWebHandler } from "./create-web-handler";
import { idempotentRoutesOf } from "../platform/http/handler-factory";
import type { Assembly } from "./assembly";
import type { Built } from "./safety";

/*
 * The HTTP functions: the JSON API, the browser pages and the planning API. Each is interactive (a person waits),
 * and each write route that can lead to a purchase keeps its Idempotency-Key records in the table, in every
 * environment: a retried POST /requests that buys again is 240 USD, not a log line.
 */

type Handler<F extends (...args: never[]) => unknown> = ReturnType<F>;

function apiKeyOf(a: Assembly): RefreshableSecretSource {
  if (!a.env.apiKey) throw new ConfigError("Invalid configuration: the HTTP functions need the API key (API_KEY_SECRET_ID)");
  return a.env.apiKey;
}

/** The JSON API of managed blocks (`/`, `/{PK}` …). */
export function assembleApi(a: Assembly): Built<Handler<typeof createApiHandler>> {
  const { env, ids } = a;
  const dynamo = a.dynamo("interactive");
  const logger = env.logger("cbm-api");
  const fn = createApiHandler({
    store: createDynamoBlockStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    history: createDynamoHistoryStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    secrets: apiKeyOf(a),
    idempotency: createDynamoIdempotency({ client: dynamo.base, tableName: env.tableName }),
    usage: createDynamoUsageStore({ client: dynamo.doc, tableName: env.tableName }),
    clock: env.clock,
    ids,
    logger,
    ...(env.metrics ? { metrics: env.metrics("cbm-api") } : {}),
    ...(env.apiUrl ? { apiUrl: env.apiUrl } : {}),
    ...(env.region ? { defaultRegion: env.region } : {}),
  });
  return { fn, safety: { idempotentRoutes: idempotentRoutesOf(fn), dynamodb: limitsOf(dynamo.doc)! } };
}

/** The browser pages (`/link/…`, `/console…`): they need the link key, which signs links and sessions. */
export function assembleWeb(a: Assembly): Built<Handler<typeof createWebHandler>> {
  const { env, ids } = a;
  if (!env.linkKey) throw new ConfigError("Invalid configuration: LINK_KEY_SECRET_ID: is required but not set");
  const dynamo = a.dynamo("interactive");
  const logger = env.logger("cbm-web");
  const fn = createWebHandler({
    store: createDynamoBlockStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    history: createDynamoHistoryStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    links: createDynamoLinkStore({ client: dynamo.doc, tableName: env.tableName }),
    sessions: createDynamoSessionStore({ client: dynamo.doc, tableName: env.tableName }),
    // The console's spend is the spend report: it needs the blocks capacity requests bought and their usage.
    requests: createDynamoRequestStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    usage: createDynamoUsageStore({ client: dynamo.doc, tableName: env.tableName }),
    secrets: apiKeyOf(a),
    secret: env.linkKey,
    clock: env.clock,
    ids,
    logger,
    ...(env.metrics ? { metrics: env.metrics("cbm-web") } : {}),
    ...(env.apiUrl ? { apiUrl: env.apiUrl } : {}),
    ...(env.autoApproval ? { autoApproval: true } : {}),
  });
  return { fn, safety: { idempotentRoutes: idempotentRoutesOf(fn), dynamodb: limitsOf(dynamo.doc)! } };
}

/** The planning API (`/offerings`, `/requests`, `/reports`): searches EC2, opens and approves capacity requests. */
export function assemblePlanning(a: Assembly): Built<Handler<typeof createPlanningHandler>> {
  const { env, ids } = a;
  if (!env.region) throw new ConfigError("Invalid configuration: AWS_REGION: is required but not set");
  const dynamo = a.dynamo("interactive");
  const logger = env.logger("cbm-planning");
  const market = createEc2BlockMarket(a.ec2("interactive"));
  const fn = createPlanningHandler({
    market,
    requests: createDynamoRequestStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    store: createDynamoBlockStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    history: createDynamoHistoryStore({ client: dynamo.doc, tableName: env.tableName, logger }),
    usage: createDynamoUsageStore({ client: dynamo.doc, tableName: env.tableName }),
    idempotency: createDynamoIdempotency({ client: dynamo.base, tableName: env.tableName }),
    secrets: apiKeyOf(a),
    defaultRegion: env.region,
    clock: env.clock,
    ids,
    logger,
    ...(env.metrics ? { metrics: env.metrics("cbm-planning") } : {}),
  });
  return {
    fn,
    safety: { idempotentRoutes: idempotentRoutesOf(fn), dynamodb: limitsOf(dynamo.doc)!, ec2: ec2SettingsOf(market)! },
  };
}
