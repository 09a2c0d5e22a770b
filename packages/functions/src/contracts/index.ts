/*
 * `@cbm/functions/contracts`: what the stacks and the CLI must agree on with the Lambda functions, and nothing that
 * loads the AWS SDK (the stacks synthesise with it, `cbm --help` starts with it): the routes API Gateway forwards,
 * the table design, the Capacity Block event types, the metrics the alarms read, the API-key secret's format and
 * the rotation's timing.
 */
export { API_RESOURCES, API_ROUTES, PLANNING_RESOURCES, PLANNING_ROUTES, WEB_GATEWAY_ROUTES, WEB_RESOURCES, WEB_ROUTES } from "./routes";
export {
  BLOCKS_INDEX,
  DUE_ATTRIBUTE,
  DUE_INDEX,
  DUE_SORT_KEY,
  ENDING_INDEX,
  ENDS_AT_ATTRIBUTE,
  IDEMPOTENCY_EXPIRY_ATTRIBUTE,
  ITEM_TYPE_ATTRIBUTE,
  PARTITION_KEY,
  SORT_KEY,
  tableDefinition,
} from "../adapters/dynamo-schema";
export { ALL_CAPACITY_BLOCK_DETAIL_TYPES, CAPACITY_BLOCK_EVENT_SOURCE } from "../notices/detail-types";
export { ALARMED_METRICS, METRICS_NAMESPACE, createMetrics } from "../platform/observability/metrics";
export { recordTickMetrics } from "../platform/observability/tick-metrics";
export { recordKeyRotation, recordNotices, recordRequestRun } from "../platform/observability/job-metrics";
export { API_KEY_CACHE_TTL_MS, API_KEY_MEMBER, API_KEY_USERNAME, parseApiKeySecret } from "../platform/api-key-secret";
export { parseRotationEvent } from "../rotation/events";
export { ROTATION_GRACE_MS } from "../rotation/key-plan";
export { AWS_ACTIONS, IMPLIED_ACTIONS, NOT_GRANTED, STAGE_TAG_KEY, awsActions, type HandlerName } from "./aws-actions";
