import { describe, expect, it } from "vitest";
import { SNSClient } from "@aws-sdk/client-sns";
import { InfrastructureError } from "@cbm/core";
import { SNS_LIMITS, sdkClientConfig } from "../src/adapters/call-limits";
import { createSnsNotifier } from "../src/adapters/sns-notifier";
import { blackHole } from "./support/black-hole";

/* A stalled SNS, for real: a port that accepts connections and never answers (the notices' side of stall.test.ts). */

const CREDENTIALS = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };

describe("a stalled SNS", () => {
  it("a stalled SNS: Publish fails as an InfrastructureError within its budget, after at most maxAttempts requests", async () => {
    const hole = await blackHole();
    try {
      const client = new SNSClient({
        region: "us-east-1",
        endpoint: hole.endpoint,
        credentials: CREDENTIALS,
        ...sdkClientConfig(SNS_LIMITS),
      });
      const notifier = createSnsNotifier({ client, topicArn: "arn:aws:sns:us-east-1:123456789012:cbm" });
      const started = performance.now();

      const error = await notifier
        .send({ key: "k", kind: "approval-request", pk: "p", subject: "s", body: "b", at: "2026-03-01T00:00:00.000Z" })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InfrastructureError);
      expect(performance.now() - started).toBeLessThan(SNS_LIMITS.budgetMs + 1_000);
      expect(hole.connections()).toBeGreaterThanOrEqual(1);
      expect(hole.connections()).toBeLessThanOrEqual(SNS_LIMITS.maxAttempts);
    } finally {
      await hole.close();
    }
  });
});
