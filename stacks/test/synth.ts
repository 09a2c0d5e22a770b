import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Aspects, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { initProject, useProject } from "sst/project.js";
import { App } from "sst/constructs";
import config from "../../sst.config.js";
import { TICK_TIMING_VARIABLES } from "../stage.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const APP_NAME = "capacity-block-manager";
export const STACK_IDS = ["Database", "Links", "Notifications", "Api", "Secrets", "Jobs", "Notices", "Monitoring"] as const;
export type StackId = (typeof STACK_IDS)[number];

// SST writes generated types and function bundles under <root>/.sst; a second test run at the same time (another
// engineer's `vitest run`, a watch process) would delete them under our feet. Each process gets its own directory.
let outDir: string | undefined;
function privateOutDir(): string {
  outDir ??= mkdtempSync(path.join(os.tmpdir(), "cbm-stacks-"));
  return outDir;
}

/** Deletes this process's SST output directory (types, bundles). */
export function cleanUp(): void {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  outDir = undefined;
}

export interface Synthesized {
  app: App;
  stage: string;
  stacks: Record<StackId, Stack>;
  templates: Record<StackId, Template>;
}

export interface SynthOptions {
  stage: string;
  adminEmail?: string;
  /** CBM_REGIONS at deploy: the regions the tick may buy extensions in. */
  regions?: string;
  /**
   * Bundle the handlers with esbuild, as `sst deploy` does. Off by default: SST's Function only builds its code in a
   * deferred task that `app.finish()` runs for active stacks; with `isActiveStack: () => false` (what `sst deploy
   * <filter>` does for unmatched stacks) it keeps inline placeholder code, so the infrastructure can be tested before
   * and independently of packages/functions.
   */
  bundle?: boolean;
  /** Other deploy-time variables, set for this synth only (EXPIRY_REMINDERS, LOG_LEVEL, CBM_DEV_BUYING …). */
  env?: Record<string, string>;
  /** `sst dev` synthesizes with mode "dev"; `sst deploy` with "deploy". */
  mode?: "deploy" | "dev";
}

/** Every variable sst.config.ts and the stacks read at deploy: unset for each synth unless the test sets it. */
const DEPLOY_VARIABLES = [
  "ADMIN_EMAIL",
  "ALARM_EMAIL",
  "CBM_PROTECTED_STAGES",
  "CBM_REGIONS",
  "CBM_DEV_BUYING",
  "EXPIRY_REMINDERS",
  "LOG_LEVEL",
  ...TICK_TIMING_VARIABLES,
];

/**
 * Synthesizes the real `sst.config.ts` offline: SST v2's `initProject` + `App({ mode: "deploy" })`, the same
 * default function props and stacks as `sst deploy`, cdk-nag's AwsSolutions pack on every stack, then
 * `app.finish()` (tags, metadata, SST's own checks) and one synth shared by all assertions.
 */
export async function synthesize({
  stage,
  adminEmail,
  regions,
  bundle = false,
  env = {},
  mode = "deploy",
}: SynthOptions): Promise<Synthesized> {
  const saved: Record<string, string | undefined> = {};
  for (const name of DEPLOY_VARIABLES) saved[name] = process.env[name];
  try {
    await initProject({ stage, root: ROOT, region: REGION });
    const { paths } = useProject();
    paths.out = privateOutDir();
    paths.artifacts = path.join(paths.out, "artifacts");
    // After initProject: it loads .env files with override, and the variant must not depend on a developer's .env.
    for (const name of DEPLOY_VARIABLES) delete process.env[name];
    process.env.ADMIN_EMAIL = adminEmail ?? "";
    if (regions) process.env.CBM_REGIONS = regions;
    Object.assign(process.env, env);
    const app = new App({
      mode,
      stage,
      name: APP_NAME,
      region: REGION,
      account: ACCOUNT,
      ...(bundle ? {} : { isActiveStack: () => false }),
    });
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    await config.stacks(app);
    await app.finish();
    const stacks = Object.fromEntries(
      STACK_IDS.map((id) => {
        const stack = app.node.tryFindChild(`${stage}-${APP_NAME}-${id}`);
        if (!(stack instanceof Stack)) throw new Error(`stack ${id} not found`);
        return [id, stack];
      }),
    ) as Record<StackId, Stack>;
    const templates = Object.fromEntries(STACK_IDS.map((id) => [id, Template.fromStack(stacks[id])])) as Record<StackId, Template>;
    return { app, stage, stacks, templates };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * cdk-nag findings of `level` on `stack`, as "path: rule" lines. Read from the assembly that was already
 * synthesized: `Annotations.fromStack` forces a second synth, which SST's unique-id aspect rejects.
 */
export function nagFindings(stack: Stack, level: "error" | "warning"): string[] {
  const assembly = (stack.node.root as App).synth();
  return assembly
    .getStackArtifact(stack.artifactId)
    .messages.filter((m) => m.level === level && String(m.entry.data).startsWith("AwsSolutions-"))
    .map((m) => `${m.id}: ${String(m.entry.data).split("\n")[0]}`);
}

/** The one resource of `type` whose logical id starts with `prefix`; fails when there is not exactly one. */
export function onlyResource(template: Template, type: string, prefix = ""): { id: string; resource: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.map(([id]) => id).join(", ") || "none"}`);
  const [id, resource] = found[0]!;
  return { id, resource: resource as Record<string, unknown> };
}
