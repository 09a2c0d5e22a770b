import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildLikeSst, bytesFrom } from "../stacks/bundling";
import { fmt, median, printTable } from "./table";

/**
 * Lambda bundles as `sst deploy` builds them (SST v2's esbuild and options plus stacks/bundling.ts: ESM, minified,
 * the AWS SDK bundled and tree-shaken): size of each, the AWS SDK's share of it, and cold initialisation time
 * measured as a fresh Node process importing the bundle, median of 10.
 */
const root = join(import.meta.dirname, "..");
const handlersDir = join(root, "packages/functions/src/composition/handlers");
const outDir = join(root, ".build/bench-bundles");

/** Cold initialisation of a bundle, `runs` times: a fresh Node process importing it, timed from inside. */
function coldInitTimes(outfile: string, runs: number, env: Record<string, string> = {}): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`,
      ],
      { encoding: "utf8", env: { ...process.env, ...env } },
    );
    if (r.status !== 0) throw new Error(`importing ${outfile} failed:\n${r.stderr}`);
    times.push(Number(r.stdout.trim().split("\n").pop()));
  }
  return times;
}

export async function benchBundles(runs = 10) {
  mkdirSync(outDir, { recursive: true });
  const entries = readdirSync(handlersDir).filter((f) => f.endsWith(".ts"));
  const rows = [];
  for (const file of entries) {
    const name = file.replace(/\.ts$/, "");
    const outfile = join(outDir, `${name}.mjs`);
    const inputs = await buildLikeSst(join(handlersDir, file), outfile);
    const sdkBytes = bytesFrom(inputs, /node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?@(?:aws-sdk|smithy|aws)[\\/]/);
    const size = statSync(outfile).size;
    const times = coldInitTimes(outfile, runs, {
      // As in Lambda, so each handler composes its clients at import (the tick skips that elsewhere).
      AWS_LAMBDA_FUNCTION_NAME: `cbm-${name}`,
      ACCOUNT_ID: "123456789012",
      TABLE_NAME: "bench",
      // An ARN, as the rotation function requires (the API takes any secret id).
      API_KEY_SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf",
      USAGE_PLAN_ID: "bench",
      API_KEY_NAME_PREFIX: "bench-",
      LINK_KEY_SECRET_ID: "bench",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDLOCAL",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    rows.push({
      handler: name,
      "size (KB)": fmt(size / 1024),
      "AWS SDK (KB)": fmt(sdkBytes / 1024),
      "target KB": 500,
      "cold init median (ms)": fmt(median(times)),
      "target ms": 150,
      ok: size / 1024 < 500 && median(times) < 150 ? "yes" : "NO",
    });
  }
  printTable(
    `Lambda bundles as sst deploy builds them (KB = 1,024 bytes; cold init = fresh node importing the bundle, median of ${runs})`,
    rows,
  );
  await benchObservability(runs);
  return rows;
}

/**
 * Why CBM keeps its own logger and metrics: the same use of Powertools for AWS Lambda's Logger and Metrics, built
 * the same way in the same run, and what it would add to every handler.
 */
async function benchObservability(runs: number) {
  const rows = [];
  for (const name of ["observability-own", "observability-powertools"]) {
    const outfile = join(outDir, `${name}.mjs`);
    await buildLikeSst(join(root, "bench/support", `${name}.ts`), outfile);
    const times = coldInitTimes(outfile, runs);
    rows.push({
      "logs and metrics": name === "observability-own" ? "CBM's own (observability/)" : "Powertools Logger + Metrics 2.x",
      "bundle (KB)": fmt(statSync(outfile).size / 1024),
      "cold init median (ms)": fmt(median(times)),
    });
  }
  printTable("Logs and metrics alone, built as the handlers are", rows);
}
