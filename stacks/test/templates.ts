import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, expect } from "vitest";
import { TABLE_ITEM_ACTIONS } from "../lambda.js";
import { ACCOUNT, APP_NAME, cleanUp, onlyResource, synthesize, type Synthesized } from "./synth.js";

/*
 * What the stack tests read out of the synthesized templates: cross-stack values, a role's statements, SST's function
 * metadata, API Gateway's resource paths, references between resources; and the two deploys most of them check.
 */

/** The approval topic's e-mail address in the protected deploy. */
export const EMAIL = "ops@example.com";

/**
 * Two deploys, synthesized once per test file in sequence (SST's app context is global): a protected stage with
 * approvals by e-mail, and a disposable stage without ADMIN_EMAIL. The bindings are live: a test file calls
 * useProdAndDev() at its top and reads them in its tests.
 */
export let prod: Synthesized;
export let dev: Synthesized;
export const variants = () => [prod, dev];

export function useProdAndDev(): void {
  beforeAll(async () => {
    prod = await synthesize({ stage: "prod", adminEmail: EMAIL });
    dev = await synthesize({ stage: "dev" });
  });
  afterAll(cleanUp);
}

export type Json = Record<string, unknown>;
export const props = (r: { resource: Json }) => r.resource.Properties as Json;

/** `{ "Fn::ImportValue": "<stage>-capacity-block-manager-<Stack>:…<what>…" }`, as CloudFormation sees a cross-stack value. */
export const importFrom = (stage: string, stack: string, what: RegExp) => ({
  "Fn::ImportValue": expect.stringMatching(new RegExp(`^${stage}-${APP_NAME}-${stack}:ExportsOutput${what.source}`)),
});
export const tableArn = (stage: string) => importFrom(stage, "Database", /FnGetAttTable\w+Arn/);
export const tableName = (stage: string) => importFrom(stage, "Database", /RefTable\w+/);
/** The secret by its fixed name (the Secrets stack comes after Api, so Api cannot import it). */
export const secretArnByName = (stage: string) => ({
  "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:secretsmanager:us-east-1:${ACCOUNT}:secret:/cbm/${stage}/apiSecretName-??????`]],
});
/**
 * What every function's environment carries besides its own: SST's keep-alive for the SDK and the app/stage/SSM prefix
 * its helpers read, and the log level sst.config.ts sets (info unless LOG_LEVEL says otherwise at deploy).
 */
export const sstEnvironment = (stage: string) => ({
  LOG_LEVEL: "info",
  AWS_NODEJS_CONNECTION_REUSE_ENABLED: "1",
  SST_APP: APP_NAME,
  SST_STAGE: stage,
  SST_SSM_PREFIX: `/sst/${APP_NAME}/${stage}/`,
});
export const logGroupArn = (logicalId: string) => ({ "Fn::GetAtt": [logicalId, "Arn"] });
export const linkKeyArn = (stage: string) => importFrom(stage, "Links", /RefLinkKey\w+/);

/** The statements every function that reads the table starts with: its log group, item actions, Query (table, indexes). */
export const tableFunctionStatements = (stage: string, logGroupId: string): Json[] => [
  { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: logGroupArn(logGroupId) },
  { Effect: "Allow", Action: TABLE_ITEM_ACTIONS, Resource: tableArn(stage) },
  {
    Effect: "Allow",
    Action: "dynamodb:Query",
    Resource: [tableArn(stage), { "Fn::Join": ["", [tableArn(stage), "/index/*"]] }],
  },
];

/** The only statements of the role's policies, and a check that the role has no managed policies. */
export function roleStatements(template: Template, rolePrefix: string): Json[] {
  const role = onlyResource(template, "AWS::IAM::Role", rolePrefix);
  expect(props(role).ManagedPolicyArns).toBeUndefined();
  expect(props(role).Policies).toBeUndefined();
  const policies = Object.values(template.findResources("AWS::IAM::Policy")).filter((p) =>
    JSON.stringify((p as Json).Properties).includes(`{"Ref":"${role.id}"}`),
  );
  expect(policies).toHaveLength(1);
  return (policies[0] as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement;
}

/** SST records each Function's own props (runtime, handler) in the stack's SSTMetadata output. */
export function functionMetadata(template: Template, id: string): Json {
  const value = template.findOutputs("SSTMetadata").SSTMetadata!.Value as string | { "Fn::Join": [string, unknown[]] };
  // Tokens (ARNs, ids) only ever sit inside JSON strings there; stand them in with a letter to parse the rest.
  const text = typeof value === "string" ? value : value["Fn::Join"][1].map((p) => (typeof p === "string" ? p : "x")).join("");
  const meta = JSON.parse(text) as { metadata: { id: string; type: string; data: Json }[] };
  const fn = meta.metadata.find((m) => m.type === "Function" && m.id === id);
  if (!fn) throw new Error(`no Function ${id} in SSTMetadata`);
  return fn.data;
}

/** Full path of an API Gateway resource, from its PathPart and parents. */
export function resourcePaths(template: Template): Map<string, string> {
  const resources = template.findResources("AWS::ApiGateway::Resource") as Record<string, { Properties: Json }>;
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const cached = paths.get(id);
    if (cached) return cached;
    const { PathPart, ParentId } = resources[id]!.Properties as { PathPart: string; ParentId: Json };
    const parent = "Ref" in ParentId ? pathOf(ParentId.Ref as string) : "";
    const full = `${parent}/${PathPart}`;
    paths.set(id, full);
    return full;
  };
  for (const id of Object.keys(resources)) pathOf(id);
  return paths;
}

/** Logical ids a resource refers to (Ref, Fn::GetAtt, DependsOn) inside its own template. */
export function references(resource: Json, ids: Set<string>): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === "Ref" && typeof value === "string" && ids.has(value)) found.add(value);
      else if (key === "Fn::GetAtt" && Array.isArray(value) && ids.has(value[0] as string)) found.add(value[0] as string);
      else walk(value);
    }
  };
  walk(resource.Properties);
  for (const dep of ([] as unknown[]).concat(resource.DependsOn ?? [])) if (ids.has(dep as string)) found.add(dep as string);
  return [...found];
}
