import { defineConfig } from "vitest/config";

// Test workers inherit this; it silences the AWS SDK's "Node 22 will be required" notice on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * Every project has explicit, bounded timeouts. vitest's default (5 s per test, 10 s per hook) is a fine budget on an
 * idle laptop and a coin toss on a 2-core CI machine running another suite beside it: the core property tests and the
 * emulator's scale test take about 1 s idle and failed at 5 s under load. These limits are 20–50× the idle times, so
 * load cannot reach them, yet a test that hangs still fails within minutes instead of holding the run. A test that
 * needs more says so itself (the reliability test: 10 min).
 */
const timeouts = {
  /** Pure CPU (core, emulator unit and scale tests): about 1 s idle at most. */
  cpu: { testTimeout: 60_000, hookTimeout: 60_000 },
  /** DynamoDB Local, the emulator over HTTP, child processes: seconds idle, a stall test runs 5 s on purpose. */
  io: { testTimeout: 120_000, hookTimeout: 120_000 },
  /** SST synthesis and esbuild bundles. */
  build: { testTimeout: 300_000, hookTimeout: 300_000 },
  /** spin's exhaustive searches: about 20 s idle for the largest; 10 min leaves room for a loaded machine. */
  model: { testTimeout: 600_000, hookTimeout: 60_000 },
} as const;

// vitest 4 reads projects from here; it ignores vitest.workspace.ts.
export default defineConfig({
  test: {
    // Global setup (DynamoDB Local) and teardown are bounded too.
    teardownTimeout: 60_000,
    projects: [
      { test: { name: "core", root: "packages/core", include: ["test/**/*.test.ts"], ...timeouts.cpu } },
      { test: { name: "ec2-emulator", root: "packages/ec2-emulator", include: ["test/**/*.test.ts"], ...timeouts.cpu } },
      {
        test: {
          name: "functions",
          root: "packages/functions",
          include: ["test/**/*.test.ts"],
          globalSetup: ["../../test/dynamo-global-setup.ts"],
          ...timeouts.io,
        },
      },
      { test: { name: "local", root: "packages/local", include: ["test/**/*.test.ts"], ...timeouts.io } },
      { test: { name: "cli", root: "packages/cli", include: ["test/**/*.test.ts"], ...timeouts.io } },
      { test: { name: "stacks", root: ".", include: ["stacks/test/**/*.test.ts"], ...timeouts.build } },
      // The protocol's model (docs/model.md): spin runs one search at a time so two never compete for the 2 cores.
      { test: { name: "model", root: ".", include: ["model/test/**/*.test.ts"], fileParallelism: false, ...timeouts.model } },
    ],
    coverage: { provider: "v8", include: ["packages/core/src/**/*.ts"], reporter: ["text-summary", "text"] },
  },
});
