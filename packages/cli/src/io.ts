import type { Readable, Writable } from "node:stream";
import { escapeUnsafeForTerminal } from "@cbm/core";

/** Everything a command touches outside itself, so tests can run main() in-process. */
export interface Io {
  stdout: Pick<Writable, "write">;
  stderr: Pick<Writable, "write">;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdin and stderr are a terminal (questions and progress need one). */
  isTTY: boolean;
  fetch?: typeof fetch;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  };
}

/**
 * Every line the CLI prints passes the text rule: a tag or name stored before the rule (an escape sequence that
 * clears the screen, a bidi override that reverses a column) is printed as `\uXXXX`, never acted on by the terminal.
 */
export function withSafeOutput(io: Io): Io {
  const safe = (w: Pick<Writable, "write">): Pick<Writable, "write"> => ({
    write: ((chunk: unknown, ...rest: unknown[]) =>
      (w.write as (...a: unknown[]) => boolean)(
        typeof chunk === "string" ? escapeUnsafeForTerminal(chunk) : chunk,
        ...rest,
      )) as Writable["write"],
  });
  return { ...io, stdout: safe(io.stdout), stderr: safe(io.stderr) };
}

export function println(w: Pick<Writable, "write">, s = ""): void {
  w.write(s + "\n");
}

/** Reads one line from stdin (for y/N questions). */
export async function readLine(stdin: Readable): Promise<string> {
  return new Promise((resolve) => {
    let buf = "";
    const onData = (d: Buffer | string) => {
      buf += d.toString();
      const i = buf.indexOf("\n");
      if (i >= 0) done(buf.slice(0, i));
    };
    const onEnd = () => done(buf);
    const done = (s: string) => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.pause();
      resolve(s.trim());
    };
    stdin.on("data", onData);
    stdin.on("end", onEnd);
    stdin.resume();
  });
}
