import type { Readable, Writable } from "node:stream";

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
