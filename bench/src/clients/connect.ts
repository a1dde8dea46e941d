/**
 * Opening clients: one, or many with a bounded number of handshakes in flight.
 */
import { speaksWireProtocol } from "../server-process.ts";
import type { BenchClient, ConnectOptions } from "./bench-client.ts";
import { connectSocketIoClient } from "./socketio-client.ts";
import { connectWsClient } from "./ws-client.ts";

/** Connects one client of the right kind for `options.kind`. */
export function connectClient(options: ConnectOptions): Promise<BenchClient> {
  return speaksWireProtocol(options.kind)
    ? connectWsClient(options)
    : connectSocketIoClient(options);
}

/**
 * Runs `task(0…count−1)` with at most `limit` in flight; resolves with the results in order.
 * Rejects on the first failure (tasks already started still finish).
 */
export async function mapLimit<T>(
  count: number,
  limit: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/**
 * Opens `tokens.length` clients, `concurrency` handshakes at a time.
 * @throws {Error} when any handshake fails; the clients already open are closed first.
 */
export async function openClients(
  options: Omit<ConnectOptions, "token">,
  tokens: string[],
  concurrency = 100,
): Promise<BenchClient[]> {
  const opened: BenchClient[] = [];
  try {
    await mapLimit(tokens.length, concurrency, async (index) => {
      const client = await connectClient({ ...options, token: tokens[index]! });
      opened.push(client);
      return client;
    });
  } catch (error) {
    closeClients(opened);
    throw error;
  }
  return opened;
}

/** Closes every client. */
export function closeClients(clients: BenchClient[]): void {
  for (const client of clients) client.close();
}
