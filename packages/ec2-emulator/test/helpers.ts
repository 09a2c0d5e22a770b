import { DescribeCapacityBlockOfferingsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../src/index";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** Tests run on a frozen virtual clock: 2026-11-24 08:00 UTC, three and a half hours before that day's 11:30 end. */
export const START = "2026-11-24T08:00:00.000Z";
export const ACCOUNT = "123456789012";
export const OTHER_ACCOUNT = "210987654321";

export async function start(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ clock: { start: START }, ...opts });
}

/**
 * One emulator for the whole test file, stopped after it and reset to an empty account at START before every test.
 * `started` receives the handle once it is up, so the file can keep it and build its clients on it.
 */
export function useEmulator(started: (handle: EmulatorHandle) => void): void {
  let handle: EmulatorHandle;
  beforeAll(async () => {
    handle = await start();
    started(handle);
  });
  afterAll(() => handle.stop());
  beforeEach(() => {
    handle.control.reset();
    handle.control.setClock(START);
  });
}

/*
 * The emulator and a one-attempt EC2 client on it (a refused call fails at once), for a test file that calls
 * useClient() at its top. The bindings are live: the file reads them in its tests.
 */
export let h: EmulatorHandle;
export let client: EC2Client;

export function useClient(): void {
  useEmulator((started) => {
    h = started;
    client = ec2(h, { maxAttempts: 1 });
  });
}

type OfferingSearch = ConstructorParameters<typeof DescribeCapacityBlockOfferingsCommand>[0];

/** Capacity Block offerings on the shared client: 1 × p5.48xlarge for 24 h unless the search says otherwise. */
export async function searchOfferings(search: Partial<OfferingSearch> = {}) {
  const out = await client.send(
    new DescribeCapacityBlockOfferingsCommand({ CapacityDurationHours: 24, InstanceType: "p5.48xlarge", InstanceCount: 1, ...search }),
  );
  return out.CapacityBlockOfferings ?? [];
}

export function ec2(
  handle: EmulatorHandle,
  options: { region?: string; accessKeyId?: string; maxAttempts?: number; requestTimeout?: number } = {},
): EC2Client {
  return new EC2Client({
    region: options.region ?? "us-east-1",
    endpoint: handle.url,
    credentials: { accessKeyId: options.accessKeyId ?? "AKIDLOCAL", secretAccessKey: "x" },
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    // Since @smithy/node-http-handler 4.x a requestTimeout only logs a warning unless throwOnRequestTimeout is set.
    ...(options.requestTimeout !== undefined
      ? { requestHandler: { requestTimeout: options.requestTimeout, throwOnRequestTimeout: true } }
      : {}),
  });
}

export interface SdkError {
  name: string;
  message: string;
  $fault?: string;
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

/** Awaits a call that must fail and checks the EC2 error code and HTTP status the SDK surfaced. */
export async function expectEc2Error(call: Promise<unknown>, code: string, status: number): Promise<SdkError> {
  const err = await call.then(
    () => {
      throw new Error(`expected ${code}, but the call succeeded`);
    },
    (e: unknown) => e as SdkError,
  );
  expect({ name: err.name, status: err.$metadata?.httpStatusCode }).toEqual({ name: code, status });
  return err;
}

export function hex17(n: number): string {
  return n.toString(16).padStart(17, "0");
}
