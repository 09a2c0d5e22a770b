import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_EXPIRY_ATTRIBUTE, tableDefinition } from "@cbm/functions/contracts";
import { onlyResource } from "./synth.js";
import { EMAIL, type Json, props, prod, dev, variants, useProdAndDev } from "./templates.js";

/* The stacks that hold data and send notices: Database, Links, Notices, Notifications. */
useProdAndDev();

describe("Database", () => {
  it("has PK/SK string keys, on-demand billing, PITR, the AWS-managed KMS key", () => {
    for (const v of variants()) {
      const table = props(onlyResource(v.templates.Database, "AWS::DynamoDB::Table"));
      expect(table.KeySchema).toEqual([
        { AttributeName: "PK", KeyType: "HASH" },
        { AttributeName: "SK", KeyType: "RANGE" },
      ]);
      expect(table.BillingMode).toBe("PAY_PER_REQUEST");
      expect(table.ProvisionedThroughput).toBeUndefined();
      expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: IDEMPOTENCY_EXPIRY_ATTRIBUTE, Enabled: true });
      // SSEEnabled with no key id is KMS with the AWS-managed aws/dynamodb key.
      expect(table.SSESpecification).toEqual({ SSEEnabled: true });
      expect(table.TableName).toBeUndefined();
      expect(table.AttributeDefinitions).toEqual(
        ["PK", "SK", "due", "nextCheckAt", "itemType", "endsAt"].map((name) => ({ AttributeName: name, AttributeType: "S" })),
      );
    }
  });

  it("has the due, blocks, ending indexes, each projecting all attributes", () => {
    const table = props(onlyResource(prod.templates.Database, "AWS::DynamoDB::Table"));
    expect(table.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: "due",
        KeySchema: [
          { AttributeName: "due", KeyType: "HASH" },
          { AttributeName: "nextCheckAt", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
      {
        IndexName: "blocks",
        KeySchema: [
          { AttributeName: "itemType", KeyType: "HASH" },
          { AttributeName: "PK", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
      {
        IndexName: "ending",
        KeySchema: [
          { AttributeName: "itemType", KeyType: "HASH" },
          { AttributeName: "endsAt", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ]);
  });

  it("declares exactly the table the DynamoDB adapters create in tests or local mode", () => {
    const { TableName: _name, ...design } = tableDefinition("any");
    const table = props(onlyResource(prod.templates.Database, "AWS::DynamoDB::Table"));
    expect({
      BillingMode: table.BillingMode,
      AttributeDefinitions: table.AttributeDefinitions,
      KeySchema: table.KeySchema,
      GlobalSecondaryIndexes: table.GlobalSecondaryIndexes,
    }).toEqual(design);
  });

  it("protects the table in prod, retaining it", () => {
    const { resource } = onlyResource(prod.templates.Database, "AWS::DynamoDB::Table");
    expect((resource.Properties as Json).DeletionProtectionEnabled).toBe(true);
    expect(resource.DeletionPolicy).toBe("Retain");
    expect(resource.UpdateReplacePolicy).toBe("Retain");
  });

  it("lets sst remove delete the table in a development stage", () => {
    const { resource } = onlyResource(dev.templates.Database, "AWS::DynamoDB::Table");
    expect((resource.Properties as Json).DeletionProtectionEnabled).toBe(false);
    expect(resource.DeletionPolicy).toBe("Delete");
  });
});

describe("Links", () => {
  it("generates the approval-link key as a secret of its own (never the API key), 64 alphanumeric characters", () => {
    for (const v of variants()) {
      const secret = props(onlyResource(v.templates.Links, "AWS::SecretsManager::Secret"));
      expect(secret.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 64 });
      expect(secret.SecretString).toBeUndefined();
    }
  });
});

describe("Notices", () => {
  it("forwards both spellings of AWS's Capacity Block events from the default bus to the notices function", () => {
    for (const v of variants()) {
      const t = v.templates.Notices;
      const fn = onlyResource(t, "AWS::Lambda::Function", "NoticesHandler");
      const rule = props(onlyResource(t, "AWS::Events::Rule", "CapacityBlockEvents"));
      expect(rule.EventPattern).toEqual({
        source: ["aws.ec2"],
        "detail-type": [
          "Capacity Block Reservation Delivered",
          "Capacity Block Delivered",
          "Capacity Block Reservation Expiration Warning",
          "Capacity Block Expiration Warning",
        ],
      });
      expect(rule.Targets).toEqual([
        expect.objectContaining({ Arn: { "Fn::GetAtt": [fn.id, "Arn"] }, RetryPolicy: { MaximumRetryAttempts: 2 } }),
      ]);
      const env = (props(fn).Environment as { Variables: Json }).Variables;
      expect(env.NOTIFY_TOPIC_ARN === undefined).toBe(v !== prod);
    }
  });

  it("sweeps the expiry reminders every 5 minutes, without retries (the next sweep makes up a missed one)", () => {
    for (const v of variants()) {
      const t = v.templates.Notices;
      const fn = onlyResource(t, "AWS::Lambda::Function", "NoticesHandler");
      const rule = props(onlyResource(t, "AWS::Events::Rule", "ExpiryReminders"));
      expect(rule.ScheduleExpression).toBe("rate(5 minutes)");
      expect(rule.Targets).toEqual([
        expect.objectContaining({
          Arn: { "Fn::GetAtt": [fn.id, "Arn"] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
        }),
      ]);
    }
  });
});

describe("Notifications", () => {
  it("with ADMIN_EMAIL: an approval topic of a fixed name, one e-mail subscription to that address", () => {
    const t = prod.templates.Notifications;
    const topic = onlyResource(t, "AWS::SNS::Topic", "Approvals");
    expect(props(topic).TopicName).toBe("prod-capacity-block-manager-approvals");
    t.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: EMAIL, TopicArn: { Ref: topic.id } });
    t.hasOutput("NotifyTopicArn", { Value: { Ref: topic.id } });
  });

  it("with ADMIN_EMAIL: the approval topic's policy denies every publish or subscribe not made over TLS", () => {
    const t = prod.templates.Notifications;
    const topic = onlyResource(t, "AWS::SNS::Topic", "Approvals");
    const policy = Object.values(t.findResources("AWS::SNS::TopicPolicy") as Record<string, { Properties: Json }>).find(
      (p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topic.id }]),
    )!.Properties;
    // The functions publish through their roles; no service needs a resource-based Allow on this topic.
    expect((policy.PolicyDocument as { Statement: Json[] }).Statement).toEqual([
      {
        Action: "sns:Publish",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
        Effect: "Deny",
        Principal: "*",
        Resource: { Ref: topic.id },
        Sid: "AllowPublishThroughSSLOnly",
      },
    ]);
  });

  it("without ADMIN_EMAIL: no approval topic, no subscription, no topic output; the alarm topic only", () => {
    const t = dev.templates.Notifications;
    onlyResource(t, "AWS::SNS::Topic", "Alarms");
    t.resourceCountIs("AWS::SNS::Topic", 1);
    t.resourceCountIs("AWS::SNS::Subscription", 0);
    expect(t.findOutputs("NotifyTopicArn")).toEqual({});
  });
});
