import { benchApiLoad } from "./api-load";
import { benchBundles } from "./bundles";
import { benchCli } from "./cli";
import { benchCsv } from "./csv";
import { benchReaction } from "./reaction";
import { benchSchedulerScale } from "./scheduler-scale";
import { benchSoak } from "./soak";

/*
 * Runs the benchmarks and prints one table each. `npm run bench` runs all; name some to pick:
 *   npm run bench -- scheduler api bundles cli csv reaction soak
 * Options (passed through): --blocks N (scheduler: the large size, default 10000), --duration S --connections N (api),
 * soak: --soak-blocks N --days D --step-min M (defaults 1000, 30, 30).
 */

const ALL = {
  scheduler: () => benchSchedulerScale(),
  api: () => benchApiLoad(),
  bundles: () => benchBundles(),
  cli: () => benchCli(),
  csv: () => benchCsv(),
  reaction: () => benchReaction(),
  soak: () => benchSoak(),
} as const;
type Name = keyof typeof ALL;

const picked = process.argv.slice(2).filter((a) => !a.startsWith("--") && !/^\d+$/.test(a));
const unknown = picked.filter((p) => !(p in ALL));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(ALL).join(", ")}`);
  process.exit(2);
}
const names = (picked.length ? picked : Object.keys(ALL)) as Name[];
let failed = false;
for (const name of names) {
  console.log(`\n## ${name}`);
  try {
    await ALL[name]();
  } catch (err) {
    failed = true;
    console.error(`benchmark ${name} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);
