import { createServer } from "node:net";
import { PortInUseError } from "./errors";

/**
 * Refuses a port that is taken before anything else starts: found only when the API listens, a clash was reported
 * after DynamoDB Local and the emulator had started (and had to be stopped again). Port 0 (any free port) and no
 * port (3000, checked the same way) are both fine to probe. A port freed between this check and the listen is not
 * a problem; one taken in between still fails at listen, as before.
 */
export async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => reject(err.code === "EADDRINUSE" ? new PortInUseError(port) : err));
    probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve()));
  });
}
