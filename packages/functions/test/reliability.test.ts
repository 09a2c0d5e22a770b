import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sequenceArb } from "./support/reliability-commands";
import { InvariantError, startReliabilityWorld, type ReliabilityWorld } from "./support/reliability-world";

/*
 * Model-based randomized test of the whole scheduler against the real DynamoDB Local and the EC2 emulator (over
 * HTTP, unmodified SDK, virtual clock): random sequences of ticks (overlapping tick instances whose EC2 calls
 * interleave, some crashing at a step of the purchase protocol, some with an API action run while one of their EC2
 * calls is in flight), policy edits, approvals (PATCH and the first release's PUTs), denials, delete and re-create
 * of a block, clock jumps, every emulator fault, purchases that reach EC2 after the client gave up, capacity
 * switched off and price changes. After every step: at most one purchase per window, and every purchase maps to
 * exactly one authorization whose terms cover it (the registration that existed then, an approval the model gave
 * for those terms, never used twice) and to a policy in force (spend per reservation within its budget, across
 * registrations); every record present and valid with a growing version. After a quiet period: every block the
 * model says must be extended was (re-approving once when an approval no longer covers the quote), no intent is
 * left, the books match EC2.
 *
 *   CBM_RELIABILITY_RUNS=10000 npx vitest run --project functions test/reliability
 *   CBM_RELIABILITY_SEED=… CBM_RELIABILITY_PATH=… replays a failure (both are printed when one happens).
 *   CBM_RELIABILITY_DEBUG=1 prints the seed first and each sequence's trace as it runs (to find a hang).
 */

const RUNS = Number(process.env.CBM_RELIABILITY_RUNS ?? 500);
const MAX_COMMANDS = Number(process.env.CBM_RELIABILITY_COMMANDS ?? 12);
const SEED = process.env.CBM_RELIABILITY_SEED ? Number(process.env.CBM_RELIABILITY_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
const PATH = process.env.CBM_RELIABILITY_PATH;
/** Shrinking replays whole sequences against the real stack: on by default, off for the long flag run. */
const SHRINK = process.env.CBM_RELIABILITY_SHRINK ? process.env.CBM_RELIABILITY_SHRINK === "1" : RUNS <= 1000;
const PROGRESS_EVERY = RUNS > 1000 ? 500 : 0;
const DEBUG = process.env.CBM_RELIABILITY_DEBUG === "1";

/** The trace of one sequence; with DEBUG, each line also goes to stderr as it is written. */
function newTrace(): string[] {
  const trace: string[] = [];
  if (DEBUG) trace.push = (...lines: string[]) => (process.stderr.write(`${lines.join("\n")}\n`), Array.prototype.push.apply(trace, lines));
  return trace;
}

let world: ReliabilityWorld;

beforeAll(async () => {
  world = await startReliabilityWorld({ dynamoEndpoint: inject("dynamoEndpoint"), requestTimeoutMs: 100, latencyMs: 300 });
});

afterAll(async () => {
  await world?.stop();
});

describe("reliability: random sequences against DynamoDB Local and the EC2 emulator", () => {
  it(
    `keeps money safe and extends what it should (${RUNS} sequences)`,
    async () => {
      const started = Date.now();
      if (DEBUG) process.stderr.write(`[reliability] seed ${SEED}\n`);
      let runs = 0;
      const property = fc.asyncProperty(sequenceArb(MAX_COMMANDS), async (spec) => {
        const trace = newTrace();
        try {
          await world.runSequence(spec, trace);
        } catch (err) {
          if (err instanceof InvariantError) err.message += `\n  trace:\n    ${trace.join("\n    ")}`;
          throw err;
        } finally {
          runs++;
          if (PROGRESS_EVERY && runs % PROGRESS_EVERY === 0) {
            process.stderr.write(
              `[reliability] ${runs} sequences in ${((Date.now() - started) / 1000).toFixed(0)} s: ${JSON.stringify(world.stats)}\n`,
            );
          }
        }
      });
      const details = await fc.check(property, {
        numRuns: RUNS,
        seed: SEED,
        ...(PATH ? { path: PATH } : {}),
        endOnFailure: !SHRINK,
      });
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `[reliability] seed ${SEED}: ${world.stats.sequences} sequences (${runs} runs incl. shrinking) in ${seconds.toFixed(1)} s ` +
          `(${((seconds * 1000) / Math.max(1, runs)).toFixed(0)} ms each): ${JSON.stringify(world.stats)} ms by step: ${JSON.stringify(Object.fromEntries(Object.entries(world.timing).map(([k, v]) => [k, Math.round(v)])))}`,
      );
      if (details.failed) {
        const msg =
          `reliability failed: seed ${details.seed}, path "${details.counterexamplePath}", ${details.numRuns} runs, ${details.numShrinks} shrinks\n` +
          `replay: CBM_RELIABILITY_SEED=${details.seed} CBM_RELIABILITY_PATH="${details.counterexamplePath}" npx vitest run --project functions test/reliability\n` +
          `counterexample: ${JSON.stringify(details.counterexample)}\n${String((details.errorInstance as Error | undefined)?.stack ?? details.errorInstance)}`;
        console.error(msg);
        expect.fail(msg);
      }
      expect(world.stats.sequences).toBeGreaterThanOrEqual(RUNS);
    },
    Math.max(600_000, RUNS * 2_000),
  );
});
