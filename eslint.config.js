// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";
import path from "node:path";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

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
 * The wings of packages/functions (docs/architecture.md). A wing holds one feature: its routes, wire format, use
 * cases and worker. Below the wings sits platform/ (Middy pipeline, web helpers, observability, config, errors,
 * ports), below that adapters/; composition/ on top wires them all. contracts/ and index.ts are the package's faces.
 */
const WINGS = ["blocks", "requests", "approvals", "reports", "tick", "notices", "usage", "rotation"];
const FUNCTIONS_SRC = "packages/functions/src/";

/** Where a file or import target sits: `{ top, rest }` with top the first folder under src/ (or the file). */
function place(p) {
  const i = p.lastIndexOf(FUNCTIONS_SRC);
  if (i < 0) return null;
  const rel = p
    .slice(i + FUNCTIONS_SRC.length)
    .replace(/\.(ts|js)$/, "")
    .replace(/\/index$/, "");
  const [top, ...rest] = rel.split("/");
  return { top, rest: rest.join("/"), rel };
}

/**
 * Platform's own floors: observability is used by the HTTP pipeline and the tick alike, so it imports no HTTP or web
 * plumbing; ports are what adapters implement, so they import nothing of the package (only core's types).
 */
function platformInnerViolation(from, to) {
  if (from.rel.startsWith("platform/observability/") && /^platform\/(http|web)(\/|$)/.test(to.rel))
    return "Observability imports no HTTP or web plumbing: the pipeline uses it, not the other way round.";
  if (from.rel.startsWith("platform/ports/") && !to.rel.startsWith("platform/ports/"))
    return "A port imports nothing of the package: only core's types.";
  return undefined;
}

/** A port's imports from outside the package: core's types and nothing else. */
function portPackageViolation(from, source, valueNames) {
  if (!from.rel.startsWith("platform/ports/")) return undefined;
  if (source === "@cbm/core" && valueNames.length === 0) return undefined;
  return "A port imports nothing but core's types (import type from @cbm/core).";
}

/** Why `from` may not import `to`, or undefined when it may. */
function fenceViolation(from, to, valueNames) {
  const fromWing = WINGS.includes(from.top);
  const toWing = WINGS.includes(to.top);
  const inner = platformInnerViolation(from, to);
  if (inner) return inner;
  if (from.top === to.top) return undefined;
  if (["composition", "contracts", "index"].includes(from.top)) return undefined;
  if (to.top === "composition" || to.top === "index") return "Only the entry points import the composition and the package's index.";
  if (from.top === "adapters") {
    if (to.rel === "rotation/ports" || to.rel === "contracts/aws-actions") return undefined;
    if (toWing || to.top === "contracts") return "An adapter implements a port; it imports no wing (only rotation's ports).";
    if (/^platform\/(http|web)(\/|$)/.test(to.rel)) return "An adapter imports no HTTP or web plumbing.";
    return undefined;
  }
  if (to.top === "contracts") return "contracts/ is the package's face for the stacks; import the module it re-exports.";
  if (from.top === "platform" && toWing) return "platform/ sits below the wings: it imports none of them.";
  if (fromWing && toWing && to.rest !== "") return `Import another wing through its index ("${to.top}"), not its internals.`;
  if (to.top === "adapters" && valueNames.length > 0)
    return `Adapters are wired by the composition; here only a type may be imported (not ${valueNames.join(", ")}).`;
  return undefined;
}

/** The names a statement imports as values; "*" for all of them (`import * as`, a re-export, `import()`, a bare import). */
function valueNames(node) {
  if (node.importKind === "type" || node.exportKind === "type") return [];
  if (node.type !== "ImportDeclaration" || node.specifiers.length === 0) return ["*"];
  return node.specifiers
    .filter((s) => (s.type === "ImportSpecifier" ? s.importKind !== "type" : true))
    .map((s) => (s.type === "ImportSpecifier" ? (s.imported.name ?? s.imported.value) : "*"));
}

/** `cbm/wing-fences`: reports an import that crosses a fence, by the folder it resolves to. */
const wingFences = {
  meta: { type: "problem", docs: { description: "Fences the wings of packages/functions" }, schema: [] },
  create(context) {
    const from = place(context.filename);
    if (!from) return {};
    const check = (node, source) => {
      if (!source || typeof source.value !== "string") return;
      if (!source.value.startsWith(".")) {
        const why = portPackageViolation(from, source.value, valueNames(node));
        if (why) context.report({ node: source, message: `${source.value}: ${why}` });
        return;
      }
      const to = place(path.resolve(path.dirname(context.filename), source.value));
      if (!to) return;
      const why = fenceViolation(from, to, valueNames(node));
      if (why) context.report({ node: source, message: `${source.value}: ${why}` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === "Literal" ? node.source : null),
    };
  },
};

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

/**
 * No import circles in any package: modules that import each other can be neither read nor moved alone. import-x
 * follows value imports only; core's test/import-graph.test.ts also holds core's type-only imports to it.
 */
const NO_CYCLE = {
  files: ["packages/*/src/**/*.ts"],
  plugins: { "import-x": importX },
  settings: {
    "import-x/extensions": [".ts", ".js", ".mjs"],
    "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
    "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
  },
  // Other packages are reached through @cbm/* and the dependency direction (DESIGN.md) already keeps them acyclic.
  rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
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
  {
    files: ["packages/functions/src/**/*.ts"],
    plugins: { cbm: { rules: { "wing-fences": wingFences } } },
    rules: { "cbm/wing-fences": "error" },
  },
  NO_CYCLE,
);
