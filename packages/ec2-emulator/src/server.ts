import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatorControl } from "./control";
import { createEmulator, type EmulatorOptions } from "./emulator";

export interface EmulatorHandle {
  /** The endpoint for the AWS SDK / CLI, e.g. http://127.0.0.1:4567. */
  url: string;
  port: number;
  control: EmulatorControl;
  /** True when the world was loaded from `stateFile`. */
  restored: boolean;
  stop(): Promise<void>;
}

/** Starts the emulator on its own HTTP server (port 0 = any free port). */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const emulator = createEmulator(opts);
  const server = createServer(emulator.handle);
  // SDK clients keep connections alive; a short idle timeout keeps stop() quick and fds low.
  server.keepAliveTimeout = 5_000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    control: emulator.control,
    restored: emulator.restored,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        emulator.shutdown();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
