import type { BlockMarket, BlockStore, Clock, HistoryStore, Ids, Notifier, RequestStore } from "@cbm/core";
import {
  type RefreshableSecretSource,
  createPlanningHandler,
  PLANNING_PATH,
  type PlanningHandlerDeps,
  createRegisterBlock,
  createRequestWorker,
  type RequestWorkReport,
  createDynamoUsageStore,
  type UsageStore,
  createEc2UsageProbe,
  sampleUsage,
  createBlockUseCases,
  type ApprovalLinkIssuer,
} from "@cbm/functions";
import { PLANNING_RESOURCES as PLANNING_MANIFEST_RESOURCES } from "@cbm/functions/contracts";
import { DEFAULT_RESOURCES } from "./api-gateway-paths";
import type { ProxyHandler } from "./http-adapter";

/**
 * The planning API's resources, listed before the block API's so that `/requests/{id}` wins over `/{PK}/…` for the
 * same number of segments, as API Gateway's resource tree does (a static segment beats a path parameter).
 */
export const PLANNING_RESOURCES: readonly string[] = PLANNING_MANIFEST_RESOURCES;

/** Every resource local mode maps a path to, as API Gateway's resource tree does: the planning API's, then the rest. */
export const LOCAL_RESOURCES: readonly string[] = [...PLANNING_RESOURCES, ...DEFAULT_RESOURCES];

export interface LocalPlanningDeps extends Omit<PlanningHandlerDeps, "secrets" | "market"> {
  market: BlockMarket;
  secrets: RefreshableSecretSource;
}

/**
 * Local mode's stand-in for API Gateway's two integrations: planning paths go to the planning function, everything
 * else to the block API, with the resource list both need.
 */
export function withPlanning(api: ProxyHandler, deps: LocalPlanningDeps): { handler: ProxyHandler; resources: string[] } {
  const planning = createPlanningHandler(deps);
  const handler: ProxyHandler = (event: { path?: unknown }, context) =>
    typeof event.path === "string" && PLANNING_PATH.test(event.path) ? planning(event as never, context) : api(event, context);
  return { handler, resources: [...LOCAL_RESOURCES] };
}

/** Usage sampling as the Lambda runs it after each requests run; `endpoint` is the emulator's (real EC2 when absent). */
export function createLocalUsageSampler(deps: {
  client: Parameters<typeof createDynamoUsageStore>[0]["client"];
  tableName: string;
  store: BlockStore;
  clock: Clock;
  ids: Ids;
  notifier: Notifier;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): { run: () => Promise<unknown>; usage: UsageStore } {
  const usage = createDynamoUsageStore({ client: deps.client, tableName: deps.tableName });
  const probe = createEc2UsageProbe({
    ...(deps.endpoint ? { endpoint: deps.endpoint } : {}),
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
  });
  return { usage, run: () => sampleUsage({ store: deps.store, usage, probe, clock: deps.clock, ids: deps.ids, notifier: deps.notifier }) };
}

/** The request worker as the Lambda runs it, on local mode's stores and the emulator's clock; run after each tick. */
export function createLocalRequestWorker(deps: {
  requests: RequestStore;
  market: BlockMarket;
  store: BlockStore;
  history: HistoryStore;
  notifier: Notifier;
  clock: Clock;
  ids: Ids;
  apiUrl: string;
  approvalLinks?: Pick<ApprovalLinkIssuer, "requestLinkFor">;
}): () => Promise<RequestWorkReport> {
  const blocks = createBlockUseCases({ store: deps.store, history: deps.history, clock: deps.clock, ids: deps.ids });
  return createRequestWorker({
    requests: deps.requests,
    market: deps.market,
    registerBlock: createRegisterBlock(blocks, deps.store),
    blocks: deps.store,
    notifier: deps.notifier,
    clock: deps.clock,
    ids: deps.ids,
    apiUrl: deps.apiUrl,
    ...(deps.approvalLinks ? { approvalLinks: deps.approvalLinks } : {}),
    // The emulator answers at once; a purchase call cannot be in flight longer than its timeout.
    callSettleMs: 30_000,
    wallNow: Date.now,
  });
}
