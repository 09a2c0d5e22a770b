import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalHandle } from "../src/local-options";
import { call, requestBody, startQuietLocal } from "./support/local-cbm";

/*
 * Finding 4 of issue 21: local mode built its DynamoDB clients without the API's call limits, so a stalled
 * DynamoDB held each request 10 s where the Lambda answers 503 in about 1.3 s. DynamoDB Local is frozen with SIGSTOP
 * (connections are accepted and nothing answers), as test/stall.test.ts of the functions does.
 */

/** The Lambda's answer while DynamoDB stalls: two calls of API_DYNAMO_LIMITS' 1.25 s, plus slack for a loaded machine. */
const API_ANSWER_MS = 3_500;

let local: LocalHandle;
let stop: () => Promise<void>;
let frozen = false;
const thaw = () => {
  if (frozen) process.kill(local.dynamo!.pid!, "SIGCONT");
  frozen = false;
};

beforeAll(async () => {
  ({ local, stop } = await startQuietLocal());
  await call(local, "POST", "/", { body: { PK: "stalled", capacityReservationId: "cr-0123456789abcdef0", region: "us-east-1" } });
});
afterAll(async () => {
  thaw();
  await stop?.();
});

describe("local mode while DynamoDB stalls", () => {
  it("answers any read or write of both APIs with 503 as fast as the Lambdas", async () => {
    process.kill(local.dynamo!.pid!, "SIGSTOP");
    frozen = true;

    const answers = [
      await call(local, "GET", "/"),
      await call(local, "PUT", "/stalled", { body: { capacityReservationId: "cr-0123456789abcdef0", region: "us-east-1" } }),
      await call(local, "GET", "/requests"),
      await call(local, "POST", "/requests", { body: requestBody(local) }),
    ];
    thaw();

    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503]);
    for (const a of answers) expect(a.ms).toBeLessThan(API_ANSWER_MS);
  });
});
