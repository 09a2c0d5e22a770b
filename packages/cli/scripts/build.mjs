// Builds the CLI as plain JavaScript (no tsx, no TypeScript at run time): see buildCli.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  mainFields: ["module", "main"],
  minifySyntax: true,
  legalComments: "none",
  // The SDK's CommonJS parts call require(); an ES module has none unless it is given one.
  banner: { js: "import { createRequire as __cbmCreateRequire } from 'node:module'; const require = __cbmCreateRequire(import.meta.url);" },
  metafile: true,
};

/**
 * Two builds of src/bin.ts. `dist/run/`: the entry plus chunks, the AWS SDK in chunks of its own that only `import`
 * and `--stage` load, so `cbm --help` parses a fraction of the code (what `cbm` runs in this repository).
 * `dist/cbm.mjs`: everything in one file, for people who install only the CLI.
 */
export async function buildCli({ quiet = false } = {}) {
  const logLevel = quiet ? "error" : "warning";
  const [split, single] = await Promise.all([
    build({
      ...common,
      logLevel,
      entryPoints: { cbm: `${root}src/bin.ts` },
      outdir: `${root}dist/run`,
      outExtension: { ".js": ".mjs" },
      splitting: true,
      chunkNames: "chunks/[name]-[hash]",
    }),
    build({ ...common, logLevel, entryPoints: [`${root}src/bin.ts`], outfile: `${root}dist/cbm.mjs` }),
  ]);
  return { split: split.metafile, single: single.metafile };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const meta = await buildCli();
  const kb = (m, f = () => true) =>
    (
      Object.entries(m.outputs)
        .filter(([k]) => f(k))
        .reduce((n, [, o]) => n + o.bytes, 0) / 1024
    ).toFixed(0);
  console.log(
    `dist/run/cbm.mjs: ${kb(meta.split, (k) => k.endsWith("run/cbm.mjs"))} KB loaded by every command (+ ${kb(meta.split, (k) => k.includes("chunks/"))} KB of chunks on demand)`,
  );
  console.log(`dist/cbm.mjs (single file): ${kb(meta.single)} KB`);
}
