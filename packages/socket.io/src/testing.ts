/**
 * @agentsocket/socket.io/testing — a real `socket.io-client` that records every event, for
 * tests of an app serving its agent on Socket.IO: connect (websocket transport, as the seeds'
 * clients do), emit, then await the event you expect; no sleeps.
 *
 * @example
 * const client = await connectTestClient(`${url}/ai`, { auth: { token } });
 * client.socket.emit("chat:start", { message: "Hi" });
 * const end = await client.next("chat:end");
 * const text = client.received("chat:message").map((m) => m.content).join("");
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";

/** A connected client and what it has received. */
export interface TestClient {
  readonly socket: Socket;
  /** Payloads of `event` received so far, in order. */
  received<T = Record<string, unknown>>(event: string): T[];
  /**
   * The first payload of `event` received after the previous `next(event)` returned (matching
   * `predicate` if given), now or when it arrives. Rejects after `timeout` ms.
   */
  next<T = Record<string, unknown>>(
    event: string,
    predicate?: (payload: T) => boolean,
    timeout?: number,
  ): Promise<T>;
  /** Event names in the order they arrived. */
  readonly order: readonly string[];
  /** Resolves on `disconnect` with its reason. */
  readonly disconnected: Promise<string>;
  close(): void;
}

/** A refused handshake: `connect_error` with the server's `message` and `data`. */
export interface ConnectRefusal extends Error {
  data?: { code?: string; message?: string };
}

type Options = Partial<ManagerOptions & SocketOptions>;

/**
 * Connects to `url` (namespace included, e.g. `http://127.0.0.1:3000/ai`).
 * @throws {ConnectRefusal} the `connect_error` when the handshake is refused.
 */
export function connectTestClient(url: string, options: Options = {}): Promise<TestClient> {
  const socket = io(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    ...options,
  });
  const log: Array<{ event: string; payload: unknown }> = [];
  const waiters = new Set<() => void>();
  const cursors = new Map<string, number>();
  socket.onAny((event: string, payload: unknown) => {
    log.push({ event, payload });
    for (const wake of [...waiters]) wake();
  });
  const disconnected = new Promise<string>((resolve) => socket.once("disconnect", resolve));

  const client: TestClient = {
    socket,
    received: <T>(event: string) =>
      log.filter((entry) => entry.event === event).map((entry) => entry.payload as T),
    next<T>(event: string, predicate?: (payload: T) => boolean, timeout = 5000) {
      return new Promise<T>((resolve, reject) => {
        const look = () => {
          for (let i = cursors.get(event) ?? 0; i < log.length; i++) {
            const entry = log[i]!;
            if (entry.event !== event || (predicate && !predicate(entry.payload as T))) continue;
            cursors.set(event, i + 1);
            done();
            resolve(entry.payload as T);
            return;
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`No "${event}" within ${timeout} ms; got: ${client.order.join(", ")}`));
        }, timeout);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(look);
        };
        waiters.add(look);
        look();
      });
    },
    get order() {
      return log.map((entry) => entry.event);
    },
    disconnected,
    close: () => void socket.disconnect(),
  };

  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(client));
    socket.once("connect_error", (error) => {
      socket.disconnect();
      reject(error as ConnectRefusal);
    });
  });
}
