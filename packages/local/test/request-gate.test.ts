import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { createRequestGate } from "../src/request-gate";

const withHost = (host: string | undefined) => ({ headers: host === undefined ? {} : { host } }) as IncomingMessage;

describe("local mode's request gate", () => {
  it.each(["127.0.0.1:3105", "localhost:3105", "LOCALHOST:3105", "[::1]:3105"])("answers its own host name %s", (host) => {
    expect(createRequestGate({ port: 3105, throttled: [] }).ownHost(withHost(host))).toBe(true);
  });

  it.each(["rebind.example:3105", "127.0.0.1:3106", "127.0.0.1", "localhost.evil.example:3105", "", undefined])(
    "refuses any other Host, a DNS-rebinding guard: %s",
    (host) => {
      expect(createRequestGate({ port: 3105, throttled: [] }).ownHost(withHost(host))).toBe(false);
    },
  );

  it("allows 10 sign-in attempts per client per minute, then refuses until the window passes", () => {
    let now = 0;
    const gate = createRequestGate({ port: 1, throttled: ["POST /console/session"], now: () => now });
    const tries = Array.from({ length: 11 }, () => gate.allow("POST", "/console/session", "10.0.0.1"));
    expect(tries.slice(0, 10).every(Boolean)).toBe(true);
    expect(tries[10]).toBe(false);
    expect(gate.allow("POST", "/console/session", "10.0.0.2")).toBe(true);
    expect(gate.allow("GET", "/console", "10.0.0.1")).toBe(true);
    now = 60_000;
    expect(gate.allow("POST", "/console/session", "10.0.0.1")).toBe(true);
  });
});
