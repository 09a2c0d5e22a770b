import type { Clock, Ids, Notifier } from "@cbm/core";
import { createDynamoClients, type DynamoClients } from "../adapters/dynamo-client";
import type { Ec2CapacityProviderOptions } from "../adapters/ec2-capacity-provider";
import { createUlidIds } from "../adapters/ids";
import type { RefreshableSecretSource } from "../adapters/secrets-source";
import { createApprovalLinkIssuer, type ApprovalLinkIssuer } from "../approvals/links/link-issuer";
import type { SigningSecret } from "../approvals/links/signing";
import type { Logger } from "../platform/observability/logger";
import type { Metrics } from "../platform/observability/metrics";
import { CALL_PROFILES, type CallProfile } from "./safety";

/**
 * What differs between the ways CBM runs (a Lambda, local mode, --aws, a bench, a test harness): where the
 * services are, which clock, who gets the notices, where the secrets come from, and how it logs. Nothing here
 * sets a limit, a wait or which routes keep Idempotency-Key records: those are the assembly's (safety.ts).
 */
export interface Environment {
  tableName: string;
  /** The SDK's region, and where a block or request that names none is. */
  region?: string;
  /** Service overrides: DynamoDB Local and the EC2 emulator locally; AWS when absent. */
  endpoints: { dynamodb?: string; ec2?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Business time: the emulator's virtual clock locally. Purchase calls and their settle waits run on the wall clock. */
  clock: Clock;
  /**
   * The wall clock a purchase call's timeout and its settle wait run on: Date.now everywhere CBM runs. A test
   * harness whose Clock stands for real time passes one that moves with it, so a test need not wait 2 minutes.
   */
  wallNow?: () => number;
  logger(service: string): Logger;
  metrics?(service: string): Metrics;
  /** The scheduled functions' notices (approval requests, alerts, reminders). */
  notifier?: Notifier;
  /** The API key the HTTP functions check. */
  apiKey?: RefreshableSecretSource;
  /** Signs approval links and console sessions; without it (or without apiUrl), notices carry no links. */
  linkKey?: SigningSecret;
  /** No approver can be reached: purchases needing approval are approved automatically, and the console says so. */
  autoApproval?: boolean;
  /** Who the links' approvals are recorded as (`link:<recipient>`). */
  linkRecipient?: string;
  /** The API's public URL: Link headers, OpenAPI servers, the commands and links in notices. */
  apiUrl?: string;
  accountId?: string;
  /**
   * The deployed stage: what CBM buys is tagged `cbm:stage=<stage>`, the only tag the stage's IAM role may buy with
   * (stacks/requests-job.ts). Absent locally, where no IAM applies.
   */
  stage?: string;
  /** Overrides of the engine's notice timings (APPROVAL_REMINDER_MINUTES …). */
  timings?: { reminderIntervalMs?: number; lastCallBeforeMs?: number; paymentAlertBeforeMs?: number };
  /** Expiry reminder offsets before a block's end; core's defaults when absent. */
  reminderOffsetsMs?: number[];
}

/** One environment's shared parts: ids, the DynamoDB clients per call profile (built once), the link issuer. */
export interface Assembly {
  env: Environment;
  ids: Ids;
  dynamo(profile: CallProfile): DynamoClients;
  ec2(profile: CallProfile): Ec2CapacityProviderOptions;
  approvalLinks?: ApprovalLinkIssuer;
  /** Closes the DynamoDB clients built so far (local mode's stop, tests). */
  destroy(): void;
}

/**
 * Test harnesses only: a purchase call that times out in milliseconds, so that a held purchase is quick to provoke.
 * Every wait that protects the call is still derived from it, with the production margin.
 */
export interface HarnessTimings {
  purchaseTimeoutMs?: number;
}

/** The shared parts every function of `env` is built from; the functions themselves are in http.ts and scheduled.ts. */
export function createAssembly(env: Environment, harness: HarnessTimings = {}): Assembly {
  const ids = createUlidIds(env.clock);
  const clients = new Map<CallProfile, DynamoClients>();
  const approvalLinks =
    env.linkKey && env.apiUrl
      ? createApprovalLinkIssuer({ secret: env.linkKey, ids, apiUrl: env.apiUrl, recipient: env.linkRecipient ?? "approver" })
      : undefined;
  return {
    env,
    ids,
    dynamo(profile) {
      let c = clients.get(profile);
      if (!c) {
        c = createDynamoClients({
          ...(env.region ? { region: env.region } : {}),
          ...(env.endpoints.dynamodb ? { endpoint: env.endpoints.dynamodb } : {}),
          ...(env.credentials ? { credentials: env.credentials } : {}),
          limits: CALL_PROFILES[profile].dynamodb,
        });
        clients.set(profile, c);
      }
      return c;
    },
    ec2: (profile) => ({
      ...(env.endpoints.ec2 ? { endpoint: env.endpoints.ec2 } : {}),
      ...(env.credentials ? { credentials: env.credentials } : {}),
      ...CALL_PROFILES[profile].ec2,
      ...(profile === "scheduled" && harness.purchaseTimeoutMs !== undefined ? { requestTimeoutMs: harness.purchaseTimeoutMs } : {}),
    }),
    ...(approvalLinks ? { approvalLinks } : {}),
    destroy() {
      for (const c of clients.values()) c.base.destroy();
      clients.clear();
    },
  };
}
