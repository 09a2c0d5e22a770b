// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

/** Modules that do I/O or tie the domain to a runtime; core must stay pure (STYLE.md, practice 1). */
const IMPURE_MODULES = [
  {
    group: ["@aws-sdk/*", "@smithy/*", "@middy/*", "sst", "sst/*", "aws-lambda", "aws-cdk-lib", "aws-cdk-lib/*"],
    message: "packages/core is pure: I/O belongs in an adapter in packages/functions.",
  },
  {
    group: ["node:*", "fs", "fs/*", "http", "https", "net", "child_process", "crypto", "os", "path", "process"],
    message: "packages/core is pure: no Node built-ins (I/O, clocks, randomness come in through ports).",
  },
  {
    group: ["@cbm/functions", "@cbm/functions/*", "@cbm/local", "@cbm/cli", "@cbm/ec2-emulator"],
    message: "Dependencies point inward: core depends on no other CBM package.",
  },
];

/** esbuild cannot tree-shake `import { z } from "zod"`: the bundle would carry every zod locale (~345 KB). */
const ZOD_NAMESPACE = {
  selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > :matches(ImportSpecifier, ImportDefaultSpecifier)",
  message: 'Use `import * as z from "zod"`, which esbuild tree-shakes.',
};

/**
 * Layers inside packages/functions: handlers → http / tick / web / events / rotation → use-cases → adapters, with
 * ports (ports/, rotation/ports.ts) below both sides. A layer never imports one above it; observability is used by
 * all and depends on none of them.
 */
const ABOVE = (dirs, message) => ({ group: dirs.flatMap((d) => [`../${d}`, `../${d}/*`, `../../${d}`, `../../${d}/*`]), message });
const FUNCTION_LAYERS = [
  {
    files: ["packages/functions/src/adapters/**/*.ts"],
    patterns: [
      ABOVE(
        ["http", "tick", "web", "events", "handlers", "use-cases", "links", "composition"],
        "An adapter implements a port; it imports no layer above it.",
      ),
      { group: ["../rotation/*", "!../rotation/ports"], message: "Adapters import only rotation's ports." },
    ],
  },
  {
    files: ["packages/functions/src/use-cases/**/*.ts"],
    patterns: [
      ABOVE(
        ["http", "tick", "web", "events", "handlers", "rotation", "composition"],
        "Use cases take typed commands; the edge (http, tick, handlers) calls them, never the other way.",
      ),
    ],
  },
  {
    files: ["packages/functions/src/observability/**/*.ts"],
    patterns: [
      ABOVE(
        ["http", "tick", "web", "events", "handlers", "use-cases", "rotation", "composition"],
        "Observability depends on neither http nor tick.",
      ),
    ],
  },
  {
    files: ["packages/functions/src/ports/**/*.ts"],
    patterns: [
      ABOVE(
        ["http", "tick", "web", "events", "handlers", "use-cases", "adapters", "rotation", "composition"],
        "Ports depend on nothing of the layers.",
      ),
    ],
  },
  {
    files: ["packages/functions/src/{http,tick,web,events,rotation,links,requests}/**/*.ts"],
    // The composition builds every function from these layers; it sits on top, beside the handlers that call it.
    patterns: [ABOVE(["handlers", "composition"], "Handlers and the composition are the top: nothing below imports them.")],
  },
];

/**
 * @cbm/functions from outside: its entry points ("." for local mode and the benches, "./contracts" for the stacks
 * and the CLI) and nothing else. A deep import, by package subpath or by a relative path into its src/, would tie
 * another package to a file that may move.
 */
const FUNCTIONS_SURFACE = [
  {
    group: ["@cbm/functions/*", "!@cbm/functions/contracts"],
    message: 'Import from "@cbm/functions" or "@cbm/functions/contracts"; what is not exported there is internal.',
  },
  {
    group: ["**/functions/src", "**/functions/src/**"],
    message: "Import @cbm/functions by its package name, not by a path into its src/.",
  },
];

/**
 * A bundled `await import("@aws-sdk/...")` keeps the client's whole namespace (every command, schema and waiter) in
 * every handler that reaches it: 55 KB of DynamoDB once. Lambda code imports SDK names statically.
 */
const SDK_DYNAMIC_IMPORT = {
  selector: "ImportExpression[source.value=/^@aws-sdk\\//]",
  message: "Import the SDK commands by name: a bundled dynamic import keeps the whole client.",
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", ".tools/**", ".sst/**", "cdk.out/**", "coverage/**", "**/dist/**", ".build/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-restricted-syntax": ["error", ZOD_NAMESPACE],
    },
  },
  {
    files: ["packages/core/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: IMPURE_MODULES }],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "core receives config as typed values, never from process.env." },
        { name: "fetch", message: "core does no I/O." },
        { name: "setTimeout", message: "core does no timing; use the Clock port." },
      ],
      "no-restricted-syntax": [
        "error",
        ZOD_NAMESPACE,
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "Use the Clock port." },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Use the Clock port." },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: "Use the Ids port." },
      ],
    },
  },
  {
    files: ["packages/ec2-emulator/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@cbm/*"], message: "The emulator depends on nothing of ours." }] }],
    },
  },
  {
    files: ["packages/functions/src/**/*.ts"],
    rules: { "no-restricted-syntax": ["error", ZOD_NAMESPACE, SDK_DYNAMIC_IMPORT] },
  },
  {
    files: [
      "packages/{local,cli}/**/*.{ts,mjs,js}",
      "packages/{core,ec2-emulator}/test/**/*.ts",
      "{bench,model,stacks,test}/**/*.ts",
      "sst.config.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: FUNCTIONS_SURFACE }] },
  },
  ...FUNCTION_LAYERS.map(({ files, patterns }) => ({ files, rules: { "no-restricted-imports": ["error", { patterns }] } })),
);
