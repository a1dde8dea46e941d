/**
 * The control side both Socket.IO servers under test share: listen on 127.0.0.1, port 0, then
 * answer the orchestrator — broadcasts through `io.emit`, connections as engine.io counts them.
 */
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "socket.io";
import { serveControl } from "../control.ts";

/** What a Socket.IO server under test may do differently: its broadcasts, more to stop. */
export interface SocketIoControlOverrides {
  broadcast?: (data: string) => number;
  /** Runs after the server has closed (its Redis clients, say). */
  stop?: () => Promise<void>;
}

/** Listens, then serves the control channel for `io` until `stop`. */
export async function serveSocketIoControl(
  http: HttpServer,
  io: Server,
  overrides: SocketIoControlOverrides = {},
): Promise<void> {
  let lastData: string | undefined;
  let lastPayload: unknown;
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  serveControl({
    port: (http.address() as AddressInfo).port,
    broadcast:
      overrides.broadcast ??
      ((data) => {
        // A Socket.IO user emits an object; parse the orchestrator's string once, not per broadcast.
        if (data !== lastData) [lastData, lastPayload] = [data, JSON.parse(data) as unknown];
        io.emit("broadcast", lastPayload);
        return io.engine.clientsCount;
      }),
    connectionCount: () => io.engine.clientsCount,
    stop: async () => {
      io.disconnectSockets(true);
      await io.close();
      await overrides.stop?.();
    },
  });
}
