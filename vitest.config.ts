import { defineConfig } from "vitest/config";

// Test workers inherit this; it silences the AWS SDK's "Node 22 will be required" notice on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// vitest 4 reads projects from here; it ignores vitest.workspace.ts.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "core", root: "packages/core", include: ["test/**/*.test.ts"] } },
      { test: { name: "ec2-emulator", root: "packages/ec2-emulator", include: ["test/**/*.test.ts"] } },
      {
        test: {
          name: "functions",
          root: "packages/functions",
          include: ["test/**/*.test.ts"],
          globalSetup: ["../../test/dynamo-global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "local",
          root: "packages/local",
          include: ["test/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      { test: { name: "cli", root: "packages/cli", include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 } },
      { test: { name: "stacks", root: ".", include: ["stacks/test/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 300_000 } },
    ],
    coverage: { provider: "v8", include: ["packages/core/src/**/*.ts"], reporter: ["text-summary", "text"] },
  },
});
