import { APIGatewayClient, CreateApiKeyCommand, CreateUsagePlanKeyCommand } from "@aws-sdk/client-api-gateway";
import { EC2Client, PurchaseCapacityBlockCommand } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { INTENT_TAG_KEY } from "@cbm/core";
import { createApiGatewayKeys } from "../src/adapters/api-gateway-keys";
import { createEc2BlockMarket } from "../src/adapters/ec2-block-market";
import { STAGE_TAG_KEY, stageTags } from "../src/contracts/aws-actions";

/*
 * What CBM creates carries its stage's tag, because the stacks' IAM conditions allow a purchase, an extension and the
 * deletion of an API key only on what is tagged for the stage (stacks/jobs.ts, requests-job.ts, secrets.ts).
 */
describe("stage tags on what CBM creates", () => {
  it("tags a bought Capacity Block with the stage beside the intent id", async () => {
    const ec2 = mockClient(EC2Client);
    ec2.on(PurchaseCapacityBlockCommand).resolves({
      CapacityReservation: { CapacityReservationId: "cr-0123456789abcdef0", State: "scheduled", EndDate: new Date("2026-12-20T11:30:00Z") },
    });
    const market = createEc2BlockMarket({ clientFor: () => new EC2Client({ region: "us-east-1" }), stage: "prod" });

    await market.purchase("us-east-1", "cb-offering", { intentId: "intent-1", platform: "Linux/UNIX", tags: { team: "ml" } });

    const input = ec2.commandCalls(PurchaseCapacityBlockCommand)[0]!.args[0].input;
    expect(input.TagSpecifications).toEqual([
      {
        ResourceType: "capacity-reservation",
        Tags: [
          { Key: INTENT_TAG_KEY, Value: "intent-1" },
          { Key: STAGE_TAG_KEY, Value: "prod" },
          { Key: "team", Value: "ml" },
        ],
      },
    ]);
    ec2.restore();
  });

  it("tags an API key the rotation creates with the stage", async () => {
    const gateway = mockClient(APIGatewayClient);
    gateway.on(CreateApiKeyCommand).resolves({ id: "key-1" });
    gateway.on(CreateUsagePlanKeyCommand).resolves({});
    const keys = createApiGatewayKeys({
      client: new APIGatewayClient({ region: "us-east-1" }),
      usagePlanId: "plan",
      namePrefix: "prod-cbm-api-key-",
      tags: stageTags("prod"),
    });

    await keys.add("prod-cbm-api-key-v1", "value-1");

    expect(gateway.commandCalls(CreateApiKeyCommand)[0]!.args[0].input.tags).toEqual({ [STAGE_TAG_KEY]: "prod" });
    gateway.restore();
  });

  it("adds no stage tag where the stage is unknown (tests, local mode)", () => {
    expect(stageTags(undefined)).toBeUndefined();
  });
});
