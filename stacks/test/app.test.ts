import { describe, expect, it } from "vitest";
import { ACCOUNT, APP_NAME, nagFindings, STACK_IDS } from "./synth.js";
import { type Json, references, prod, dev, variants, useProdAndDev } from "./templates.js";

/* The app as a whole: stack names, cdk-nag, deployability (no cycles, downstream references only) and least privilege across every stack. */
useProdAndDev();

describe("stacks and cdk-nag", () => {
  it("names every stack <stage>-capacity-block-manager-<Concern>, in the given account's region", () => {
    for (const v of variants()) {
      for (const id of STACK_IDS) {
        expect(v.stacks[id].stackName).toBe(`${v.stage}-${APP_NAME}-${id}`);
        expect(v.stacks[id].account).toBe(ACCOUNT);
        expect(v.stacks[id].region).toBe("us-east-1");
      }
    }
  });

  it("leaves no unsuppressed AwsSolutions error in any stack, with or without ADMIN_EMAIL", () => {
    for (const v of variants()) {
      const errors = STACK_IDS.flatMap((id) => nagFindings(v.stacks[id], "error"));
      expect(errors).toEqual([]);
    }
  });

  it("suppresses only the reviewed cdk-nag rules, each with a reason", () => {
    const suppressed = new Map<string, Set<string>>();
    for (const id of STACK_IDS) {
      for (const resource of Object.values(prod.templates[id].toJSON().Resources as Record<string, Json>)) {
        const rules =
          ((resource.Metadata as Json | undefined)?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] } | undefined)
            ?.rules_to_suppress ?? [];
        for (const rule of rules) {
          expect(rule.reason.length, `${id} ${rule.id}`).toBeGreaterThan(60);
          suppressed.set(id, (suppressed.get(id) ?? new Set()).add(rule.id));
        }
      }
    }
    const sst = ["AwsSolutions-IAM4", "AwsSolutions-L1"];
    expect(Object.fromEntries([...suppressed].map(([k, v]) => [k, [...v].sort()]))).toEqual({
      Database: sst,
      // No SMG4 (the key rotates) and no APIG3 (WAF is attached): neither is suppressed any more.
      Secrets: ["AwsSolutions-IAM4", "AwsSolutions-IAM5", "AwsSolutions-L1"],
      Links: [...sst, "AwsSolutions-SMG4"].sort(),
      Notifications: [...sst, "AwsSolutions-SNS2"].sort(),
      Api: ["AwsSolutions-APIG2", "AwsSolutions-APIG4", "AwsSolutions-COG4", "AwsSolutions-IAM4", "AwsSolutions-IAM5", "AwsSolutions-L1"],
      Jobs: ["AwsSolutions-IAM4", "AwsSolutions-IAM5", "AwsSolutions-L1"],
      Notices: ["AwsSolutions-IAM4", "AwsSolutions-IAM5", "AwsSolutions-L1"],
      Monitoring: sst,
    });
  });
});

describe("deployability", () => {
  it("has no dependency cycle inside any stack (CloudFormation would reject it; the API URL is the usual culprit)", () => {
    for (const v of variants()) {
      for (const id of STACK_IDS) {
        const resources = v.templates[id].toJSON().Resources as Record<string, Json>;
        const ids = new Set(Object.keys(resources));
        const state = new Map<string, "visiting" | "done">();
        const visit = (node: string, trail: string[]): void => {
          if (state.get(node) === "done") return;
          if (state.get(node) === "visiting") throw new Error(`cycle in ${id}: ${[...trail, node].join(" -> ")}`);
          state.set(node, "visiting");
          for (const next of references(resources[node]!, ids)) visit(next, [...trail, node]);
          state.set(node, "done");
        };
        for (const node of ids) visit(node, []);
      }
    }
  });

  it("references other stacks only downstream: Database, Links, Notifications -> Api -> Secrets -> Jobs -> Notices -> Monitoring", () => {
    const order = ["Database", "Links", "Notifications", "Api", "Secrets", "Jobs", "Notices", "Monitoring"];
    for (const v of variants()) {
      for (const id of STACK_IDS) {
        const pattern = new RegExp(`"Fn::ImportValue":"${v.stage}-${APP_NAME}-(\\w+):`, "g");
        for (const [, from] of JSON.stringify(v.templates[id].toJSON()).matchAll(pattern)) {
          expect(order.indexOf(from!), `${id} imports ${from}`).toBeGreaterThanOrEqual(0);
          expect(order.indexOf(from!), `${id} imports ${from}`).toBeLessThan(order.indexOf(id));
        }
      }
    }
  });
});

describe("least privilege across the app", () => {
  it("has no wildcard action, no NotAction/NotResource, no Scan in any policy CBM writes", () => {
    for (const v of variants()) {
      for (const id of STACK_IDS) {
        const policies = v.templates[id].findResources("AWS::IAM::Policy") as Record<string, { Properties: Json }>;
        for (const policy of Object.values(policies)) {
          for (const statement of (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement) {
            expect(statement.NotAction).toBeUndefined();
            expect(statement.NotResource).toBeUndefined();
            for (const action of ([] as unknown[]).concat(statement.Action)) {
              expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
              expect(action).not.toBe("dynamodb:Scan");
            }
          }
        }
      }
    }
  });

  it("without an approval topic, publishes nowhere but the alarm topic (the notices' on-failure records)", () => {
    for (const id of STACK_IDS) {
      const policies = JSON.stringify(dev.templates[id].findResources("AWS::IAM::Policy"));
      expect(policies).not.toMatch(/approvals/);
      if (id !== "Notices") expect(policies, id).not.toMatch(/sns:/);
    }
  });

  it("in a development stage, retains nothing but API Gateway's shared account role (sst remove cleans up)", () => {
    const kept = STACK_IDS.flatMap((id) =>
      Object.entries(dev.templates[id].toJSON().Resources as Record<string, Json>)
        .filter(([, r]) => r.DeletionPolicy === "Retain" || r.UpdateReplacePolicy === "Retain")
        .map(([logicalId, r]) => `${id}/${logicalId}:${r.Type as string}`),
    );
    expect(kept).toEqual([
      expect.stringMatching(/^Api\/ApiCloudWatchRole\w+:AWS::IAM::Role$/),
      expect.stringMatching(/^Api\/ApiAccount\w+:AWS::ApiGateway::Account$/),
    ]);
  });

  it("in prod, retains the table with every log group", () => {
    const kept = STACK_IDS.flatMap((id) =>
      Object.entries(prod.templates[id].toJSON().Resources as Record<string, Json>)
        .filter(([, r]) => r.DeletionPolicy === "Retain")
        .map(([, r]) => r.Type as string),
    ).sort();
    expect(kept).toEqual([
      "AWS::ApiGateway::Account",
      "AWS::DynamoDB::Table",
      "AWS::IAM::Role",
      "AWS::Logs::LogGroup",
      "AWS::Logs::LogGroup",
      "AWS::Logs::LogGroup",
      "AWS::Logs::LogGroup",
      "AWS::Logs::LogGroup", // the web function's
      "AWS::Logs::LogGroup", // the notices function's
      // The planning function's and the capacity-request worker's.
      "AWS::Logs::LogGroup",
      "AWS::Logs::LogGroup",
    ]);
  });
});
