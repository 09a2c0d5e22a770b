import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { useProject } from "sst/project.js";
import { describe, expect, it } from "vitest";
import { AWS_ACTIONS, type HandlerName, IMPLIED_ACTIONS, NOT_GRANTED } from "@cbm/functions/contracts";
import { buildLikeSst } from "../bundling.js";
import { ROOT, type StackId, type Synthesized } from "./synth.js";
import { type Json, prod, dev, roleStatements, useProdAndDev } from "./templates.js";

/*
 * One list per function (packages/functions/src/contracts/aws-actions.ts) of the AWS calls it makes. Each role must allow
 * exactly those, and each bundle must contain the SDK commands of exactly those: a call added to the code without
 * its permission (as DescribeCapacityBlockStatus once was: the sampler swallowed the AccessDenied) fails here.
 */
useProdAndDev();

/** Where each handler's function and role live. */
const FUNCTIONS: Record<HandlerName, { stack: StackId; role: string }> = {
  api: { stack: "Api", role: "ApiHandlerRole" },
  web: { stack: "Api", role: "WebHandlerRole" },
  "planning-api": { stack: "Api", role: "PlanningHandlerRole" },
  tick: { stack: "Jobs", role: "TickRole" },
  requests: { stack: "Jobs", role: "RequestsRole" },
  notices: { stack: "Notices", role: "NoticesHandlerRole" },
  "rotate-api-key": { stack: "Secrets", role: "KeyRotationRole" },
};

/** The services whose calls are granted per function (DynamoDB is granted per table, see aws-actions.ts), by client. */
const SERVICES = { ec2: "client-ec2", sns: "client-sns", secretsmanager: "client-secrets-manager", apigateway: "client-api-gateway" };
/** A client's command names, from the type declarations of the copy packages/functions bundles (one file each). */
const commandsOf = (client: string) =>
  new Set(
    readdirSync(path.join(ROOT, "packages/functions/node_modules/@aws-sdk", client, "dist-types/commands"))
      .filter((f) => f.endsWith("Command.d.ts"))
      .map((f) => f.replace(/\.d\.ts$/, "")),
  );
const COMMANDS = Object.entries(SERVICES).map(([service, client]) => ({ service, commands: commandsOf(client) }));

/** The IAM action a command needs: `service:Operation`, or for API Gateway's control plane its HTTP method. */
function actionOf(service: string, command: string): string {
  const operation = command.replace(/Command$/, "");
  if (service !== "apigateway") return `${service}:${operation}`;
  const verb = /^(Get|Create|Delete|Update|Put)/.exec(operation)?.[1];
  return `apigateway:${{ Get: "GET", Create: "POST", Delete: "DELETE", Update: "PATCH", Put: "PUT" }[verb!]}`;
}

/** The role's actions other than its log group's and the table's. */
function roleActions(v: Synthesized, handler: HandlerName): string[] {
  const { stack, role } = FUNCTIONS[handler];
  const actions = roleStatements(v.templates[stack], role).flatMap((s: Json) => ([] as string[]).concat(s.Action as string));
  return [...new Set(actions.filter((a) => !a.startsWith("logs:") && !a.startsWith("dynamodb:")))].sort();
}

describe("each role allows exactly the calls its function makes", () => {
  it.each(Object.keys(FUNCTIONS) as HandlerName[])("%s", (handler) => {
    expect(roleActions(prod, handler)).toEqual([...AWS_ACTIONS[handler]].sort());
    // Without ADMIN_EMAIL there is no approval topic to publish to; nothing else differs.
    const missing = AWS_ACTIONS[handler].filter((a) => !roleActions(dev, handler).includes(a));
    expect(missing.filter((a) => a !== "sns:Publish")).toEqual([]);
    expect(roleActions(dev, handler).every((a) => (AWS_ACTIONS[handler] as readonly string[]).includes(a))).toBe(true);
  });
});

it("lists an action IAM only implies (tag-on-create) only beside the call that implies it", () => {
  for (const [handler, actions] of Object.entries(AWS_ACTIONS)) {
    for (const action of actions) {
      const by = IMPLIED_ACTIONS[handler as HandlerName]?.[action];
      if (by) expect(actions, `${handler}: ${action}`).toContain(by);
    }
  }
});

describe("each bundle calls exactly what its function's list says", () => {
  it("bundles every handler as sst deploy does, reading the SDK commands esbuild kept", { timeout: 180_000 }, async () => {
    // This process's SST output directory (stacks/test/synth.ts), which cleanUp() removes.
    const out = path.join(useProject().paths.out, "aws-actions");
    for (const handler of Object.keys(FUNCTIONS) as HandlerName[]) {
      const file = path.join(out, `${handler}.mjs`);
      await buildLikeSst(path.join(ROOT, `packages/functions/src/composition/handlers/${handler}.ts`), file);
      // keepNames writes each class's name as a string: `static{n(this,"PurchaseCapacityBlockCommand")}`.
      const kept = new Set([...readFileSync(file, "utf8").matchAll(/\(this,"(\w+Command)"\)/g)].map((m) => m[1]!));
      const called = COMMANDS.flatMap(({ service, commands }) => [...kept].filter((c) => commands.has(c)).map((c) => actionOf(service, c)));
      // What the code can call = what the role allows (less what IAM implies) + what it deliberately does not allow.
      const granted = AWS_ACTIONS[handler].filter((a) => !(a in (IMPLIED_ACTIONS[handler] ?? {})));
      const expected = [...granted, ...Object.keys(NOT_GRANTED[handler] ?? {})];
      expect([...new Set(called)].sort(), handler).toEqual(expected.sort());
    }
  });
});
