import { describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { InfrastructureError, type Notification } from "@cbm/core";
import { createSnsNotifier, snsSubject } from "../src/adapters/sns-notifier";
import { createConsoleOutboxNotifier } from "../src/adapters/console-outbox-notifier";
import { createLogOnlyNotifier } from "../src/adapters/console-log-notifier";

const note: Notification = {
  key: "blk#2025-06-10T11:30:00.000Z#first#1",
  kind: "approval-request",
  pk: "blk",
  subject: "CBM: Approval needed to extend “llm-pretrain” — 7 days for 10571.90 USD",
  body: "body",
  at: "2025-06-08T11:31:00.000Z",
};

describe("SNS notifier", () => {
  it("publishes to the topic with an ASCII subject under 100 characters", async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    const notifier = createSnsNotifier({
      client: new SNSClient({ region: "us-east-1" }),
      topicArn: "arn:aws:sns:us-east-1:123456789012:cbm",
    });
    expect(notifier.canReachApprover).toBe(true);
    await notifier.send({ ...note, subject: note.subject + " and a very long tail ".repeat(10) });
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe("arn:aws:sns:us-east-1:123456789012:cbm");
    expect(input.Message).toBe("body");
    expect(input.Subject!.length).toBeLessThan(100);
    expect(input.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(input.MessageAttributes?.kind?.StringValue).toBe("approval-request");
    sns.restore();
  });

  it("turns an SNS failure into an InfrastructureError", async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).rejects(new Error("AuthorizationError"));
    const notifier = createSnsNotifier({
      client: new SNSClient({ region: "us-east-1" }),
      topicArn: "arn:aws:sns:us-east-1:123456789012:cbm",
    });
    await expect(notifier.send(note)).rejects.toBeInstanceOf(InfrastructureError);
    sns.restore();
  });

  it("cleans subjects: dashes, ellipses, newlines, non-ASCII", () => {
    expect(snsSubject("a — b…\nc ✓")).toBe("a - b... c");
    expect(snsSubject("x".repeat(200))).toHaveLength(99);
  });
});

describe("console outbox and log-only notifiers", () => {
  it("keeps what it sent, readable with list(); approver reachable by default", async () => {
    const printed: string[] = [];
    const outbox = createConsoleOutboxNotifier({ print: (t) => printed.push(t), max: 2 });
    expect(outbox.canReachApprover).toBe(true);
    await outbox.send(note);
    await outbox.send({ ...note, key: "k2" });
    await outbox.send({ ...note, key: "k3" });
    expect(outbox.list().map((n) => n.key)).toEqual(["k2", "k3"]);
    expect(printed[0]).toContain(note.subject);
    outbox.clear();
    expect(outbox.list()).toEqual([]);
  });

  it("without a topic nobody can be reached, so approval is automatic", async () => {
    const lines: unknown[] = [];
    const n = createLogOnlyNotifier({ info: (m, d) => lines.push([m, d]), warn: () => {}, error: () => {} });
    expect(n.canReachApprover).toBe(false);
    await n.send(note);
    expect(lines).toHaveLength(1);
  });
});
