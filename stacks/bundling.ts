import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { FunctionProps } from "sst/constructs";

// esbuild's types as SST v2 declares them: SST builds with its own esbuild (0.18), not the workspace's.
type BuildOptions = NonNullable<NonNullable<FunctionProps["nodejs"]>["esbuild"]>;
type Plugin = NonNullable<BuildOptions["plugins"]>[number];
/** The part of esbuild's metafile read here (the same in 0.18 and later). */
interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** What went into one bundle: the bytes each input file (by path) contributes to it. */
export type BundleInputs = Record<string, number>;

/** The bytes the inputs whose path matches `pattern` contribute to the bundle. */
export function bytesFrom(inputs: BundleInputs, pattern: RegExp): number {
  return Object.entries(inputs).reduce((sum, [path, bytes]) => (pattern.test(path) ? sum + bytes : sum), 0);
}

/**
 * How CBM's Lambda code is bundled. SST v2 builds every function with esbuild; `sst.config.ts` sets these props on
 * all of them, and `bench/bundles.ts` and the bundle tests build with `buildLikeSst` below, so what is measured and
 * tested is what is deployed.
 *
 * The AWS SDK stays bundled (SST v2's default for ESM): the version that runs is the one the tests ran, not whatever
 * the Lambda runtime ships, and a bundled, tree-shaken SDK starts faster than the runtime's copy read from disk
 * (bench: the tick importing an external SDK took ~550 ms to initialise, bundled ~90 ms).
 */
export const LAMBDA_NODEJS: NonNullable<FunctionProps["nodejs"]> & { format: "esm"; minify: boolean; esbuild: BuildOptions } = {
  format: "esm",
  // SST v2 does not minify unless asked.
  minify: true,
  esbuild: { plugins: [literalSchemaTraitKeys(), lambdaEnvCredentials(), sdkPackageVersionOnly()] },
};

/**
 * The files the AWS SDK generates per client with every shape of the service as a constant array.
 * `@aws-sdk/client-ec2`'s is 1.3 MB; the tick needs a few dozen of its 3,400 structures.
 */
export const SDK_SCHEMA_FILE = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:submodules[\\/][^\\/]+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/**
 * Makes the AWS SDK's generated schemas tree-shakable again (aws/aws-sdk-js-v3#7607; the generator fix is proposed
 * in smithy-lang/smithy-typescript#1889). Since 3.930 the SDK writes trait objects with computed keys that name
 * string constants, `{ [_xN]: _m }`. esbuild must assume a computed key can run code, so it keeps every schema in
 * the file: all of EC2's shapes went into the tick's bundle (540 KB minified). This rewrites those keys to the
 * string literals the constants hold, `{ "xmlName": _m }`, which is exactly the upstream fix; the objects are
 * identical and unused schemas can be dropped. A key whose constant is not found is left alone (its schema is then
 * kept, never changed). Remove once the SDK ships the fix.
 */
export function literalSchemaTraitKeys(): Plugin {
  return {
    name: "cbm-literal-schema-trait-keys",
    setup(build) {
      build.onLoad({ filter: SDK_SCHEMA_FILE }, async ({ path }) => ({
        contents: withLiteralTraitKeys(await readFile(path, "utf8")),
        loader: "js",
      }));
    },
  };
}

/** The rewrite itself, on the text of one generated schema file. */
export function withLiteralTraitKeys(source: string): string {
  const constants = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
    constants.set(name!, literal!);
  }
  return source.replace(/\[(_\w+)\]:/g, (key, name: string) => {
    const literal = constants.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

const CREDENTIALS_NAMESPACE = "cbm-lambda-env-credentials";

/**
 * In Lambda the SDK's credentials always come from the environment: the runtime puts the execution role's keys in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, and `fromEnv` is the first link of the default
 * chain, which stops there. The other links (SSO, ini files, credential_process, web identity, container, IMDS and
 * the STS/SSO clients they bring) never run in a Lambda but are ~100 KB of every bundle. So Lambda bundles get a
 * `@aws-sdk/credential-provider-node` whose `defaultProvider` is `fromEnv` from that same package's own dependency.
 * Local mode and the CLI run unbundled and keep the full chain (profiles, SSO).
 */
export function lambdaEnvCredentials(): Plugin {
  return {
    name: "cbm-lambda-env-credentials",
    setup(build) {
      build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, async (args) => {
        if (args.pluginData === CREDENTIALS_NAMESPACE) return undefined;
        const real = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: CREDENTIALS_NAMESPACE,
        });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: CREDENTIALS_NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: CREDENTIALS_NAMESPACE }, ({ path }) => ({
        contents: `export { fromEnv as defaultProvider } from "@aws-sdk/credential-provider-env";`,
        resolveDir: dirname(path),
        loader: "js",
      }));
    },
  };
}

/**
 * Every SDK client imports its whole package.json (2–3 KB each: scripts, dependencies, typesVersions …) to read one
 * field, `version`, for its user-agent string. Bundles get `{ "version": … }` only.
 */
export function sdkPackageVersionOnly(): Plugin {
  return {
    name: "cbm-sdk-package-version-only",
    setup(build) {
      build.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async ({ path }) => {
        const { version } = JSON.parse(await readFile(path, "utf8")) as { version: string };
        return { contents: JSON.stringify({ version }), loader: "json" };
      });
    },
  };
}

/** The ESM banner SST v2 puts on every ESM function (some CommonJS dependencies call require() at run time). */
const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
  LAMBDA_NODEJS.banner ?? "",
].join("\n");

type EsbuildModule = { build(options: BuildOptions & { metafile: true }): Promise<{ metafile: Metafile }> };

/**
 * Builds one handler the way `sst deploy` does: SST v2's own esbuild (its pinned dependency, not ours) with the
 * options from sst/runtime/handlers/node.js for an ESM function, plus LAMBDA_NODEJS. Source maps are left out:
 * SST writes them beside the bundle, they are not loaded at start. Returns what went into the bundle.
 */
export async function buildLikeSst(entry: string, outfile: string): Promise<BundleInputs> {
  const sstRequire = createRequire(createRequire(import.meta.url).resolve("sst/package.json"));
  const esbuild = (await import(sstRequire.resolve("esbuild"))) as EsbuildModule;
  const { metafile } = await esbuild.build({
    entryPoints: [entry],
    platform: "node",
    bundle: true,
    keepNames: true,
    logLevel: "silent",
    format: LAMBDA_NODEJS.format,
    target: "esnext",
    mainFields: ["module", "main"],
    banner: { js: SST_ESM_BANNER },
    outfile,
    minify: LAMBDA_NODEJS.minify,
    ...LAMBDA_NODEJS.esbuild,
    metafile: true,
  });
  const bundle = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  return Object.fromEntries(Object.entries(bundle.inputs).map(([path, input]) => [path, input.bytesInOutput]));
}
