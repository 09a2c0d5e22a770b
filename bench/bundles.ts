import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fmt, median, printTable } from "./table";

/**
 * Lambda bundles as SST v2 builds them (esbuild, ESM, minified, node22 target, the AWS SDK bundled in, since
 * CBM pins newer SDK clients than the runtime ships): size of each, and cold initialisation time measured as a
 * fresh Node process importing the bundle, median of 10.
 */
const root = join(import.meta.dirname, "..");
const handlersDir = join(root, "packages/functions/src/handlers");
const outDir = join(root, ".build/bench-bundles");

export async function benchBundles(runs = 10) {
  mkdirSync(outDir, { recursive: true });
  const entries = readdirSync(handlersDir).filter((f) => f.endsWith(".ts"));
  const rows = [];
  for (const file of entries) {
    const name = file.replace(/\.ts$/, "");
    const outfile = join(outDir, `${name}.mjs`);
    await build({
      entryPoints: [join(handlersDir, file)],
      bundle: true,
      minify: true,
      platform: "node",
      target: "node22",
      format: "esm",
      outfile,
      // SST's ESM banner: some CommonJS dependencies call require() at run time.
      banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
      logLevel: "error",
    });
    const size = statSync(outfile).size;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`,
        ],
        {
          encoding: "utf8",
          env: {
            ...process.env,
            TABLE_NAME: "bench",
            API_KEY_SECRET_ID: "bench",
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIDLOCAL",
            AWS_SECRET_ACCESS_KEY: "bench",
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          },
        },
      );
      if (r.status !== 0) throw new Error(`importing ${name} failed:\n${r.stderr}`);
      times.push(Number(r.stdout.trim().split("\n").pop()));
    }
    rows.push({
      handler: name,
      "size (KB)": fmt(size / 1024),
      "target KB": 500,
      "cold init median (ms)": fmt(median(times)),
      "target ms": 150,
      ok: size / 1024 < 500 && median(times) < 150 ? "yes" : "NO",
    });
  }
  printTable(`Lambda bundles (esbuild, minified, ESM; cold init = fresh node importing the bundle, median of ${runs})`, rows);
  return rows;
}
