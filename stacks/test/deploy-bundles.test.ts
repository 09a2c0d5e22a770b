import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { useProject } from "sst/project.js";
import { afterAll, describe, expect, it } from "vitest";
import { buildLikeSst } from "../bundling.js";
import { cleanUp, onlyResource, ROOT, synthesize } from "./synth.js";
import { props } from "./templates.js";

afterAll(cleanUp);

// With the handlers present, synthesize once more as `sst deploy` does: esbuild bundles every handler (ESM, arm64)
// and SST swaps the placeholder for the real code and runtime. Until packages/functions has them, this is skipped.
const handlersExist = ["api", "tick", "rotate-api-key"].every((name) =>
  ["ts", "mts", "js", "mjs"].some((ext) => existsSync(path.join(ROOT, `packages/functions/src/composition/handlers/${name}.${ext}`))),
);
describe.skipIf(!handlersExist)("bundling (as sst deploy does)", () => {
  it("bundles each handler with SST's esbuild, into its own bundle, and deploys them on nodejs22.x", async () => {
    const built = await synthesize({ stage: "dev", bundle: true });
    for (const [stack, prefix, file] of [
      ["Api", "ApiHandler", "api"],
      ["Jobs", "Tick", "tick"],
      ["Secrets", "KeyRotation", "rotate-api-key"],
    ] as const) {
      const fn = props(onlyResource(built.templates[stack], "AWS::Lambda::Function", prefix));
      expect(fn.Runtime).toBe("nodejs22.x");
      expect(fn.Handler).toBe(`packages/functions/src/composition/handlers/${file}.handler`);
      expect(fn.Code).toEqual({ S3Bucket: expect.any(String), S3Key: expect.stringMatching(/\.zip$/) });
    }
    // The code SST built is byte for byte what bench/bundles.ts measures and test/lambda-bundles.test.ts runs.
    const out = useProject().paths.out;
    const files = readdirSync(out, { recursive: true, encoding: "utf8" });
    for (const name of ["api", "tick", "rotate-api-key"]) {
      const artifact = files.find((f) => f.endsWith(`handlers/${name}.mjs`));
      expect(artifact, `SST's ${name} bundle`).toBeDefined();
      // Beside SST's output, so cleanUp() removes it with the rest.
      const ours = path.join(out, "like-sst", `${name}.mjs`);
      await buildLikeSst(path.join(ROOT, `packages/functions/src/composition/handlers/${name}.ts`), ours);
      const sst = readFileSync(path.join(out, artifact!), "utf8").replace(/\n\/\/# sourceMappingURL=.*\n?$/, "\n");
      expect(sst === readFileSync(ours, "utf8"), `${name}: SST's bundle differs from buildLikeSst's`).toBe(true);
    }
  });
});
