/**
 * The Redis stream store's two connections — commands (no offline queue: an outage fails fast)
 * and subscriptions — with its scripts loaded up front, and one shared subscription per channel.
 */
import { createClient, type RedisClientType } from "redis";
import { APPEND, CREATE, TOUCH } from "./stream-scripts.ts";
import type { ResolvedStreamStoreOptions } from "./stream-options.ts";

type Client = RedisClientType<any, any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Command options without node-redis's queue timeout. */
const UNTIMED = { timeout: 0 };

/** Connects at once; every call waits for the first connection (up to `connectTimeoutMs`). */
export function connectStreamStore(options: ResolvedStreamStoreOptions) {
  const { url, client, connectTimeoutMs } = options;
  const shardedOption = options.sharded;
  const cmd = (
    client
      ? client.duplicate({ disableOfflineQueue: true })
      : createClient({ url, disableOfflineQueue: true })
  ) as Client;
  const sub = (client ? client.duplicate() : createClient({ url })) as Client;
  for (const c of [cmd, sub]) c.on("error", () => {}); // node-redis reconnects; errors reach callers
  let sharded = false;
  let closed = false;
  let isReady = false;
  // Loaded up front: a NOSCRIPT fallback (EVAL after EVALSHA) could let a later append overtake
  // an earlier one. Loaded again after a reconnect (a restarted Redis has an empty script cache).
  const loadScripts = () =>
    Promise.all(
      [APPEND, CREATE, TOUCH].map((lua) => cmd.sendCommand(["SCRIPT", "LOAD", lua.source])),
    );
  const setup = async () => {
    await loadScripts();
    if (shardedOption !== "auto") sharded = shardedOption;
    else {
      const info = String(await cmd.sendCommand(["INFO", "server"]));
      sharded = Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0) >= 7;
    }
    isReady = true;
  };
  // A setup that failed (Redis dropped mid-way, or refused a script) runs again on the next
  // reconnect; until then calls fail with its error.
  let failed = false;
  const watch = (attempt: Promise<void>) => {
    attempt.catch(() => (failed = true));
    return attempt;
  };
  let connecting = watch(Promise.all([cmd.connect(), sub.connect()]).then(setup));
  cmd.on("ready", () => {
    if (isReady) loadScripts().catch(() => {});
    else if (failed && !closed) {
      failed = false;
      connecting = watch(setup());
    }
  });

  const ready = async (): Promise<void> => {
    if (closed) throw new Error("The stream store is closed");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("Redis is unavailable")), connectTimeoutMs);
      timer.unref?.();
    });
    try {
      await Promise.race([connecting, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  /** Commands go straight out once connected: appends keep their order on the one connection. */
  const send = (args: string[]): Promise<unknown> =>
    isReady ? cmd.sendCommand(args) : ready().then(() => cmd.sendCommand(args));
  const sender = { sendCommand: send };
  // Appends skip node-redis's queue timeout: it costs a timer and an AbortSignal per command (and
  // a DOMException when the timer fires, long after the write), and an outage fails them anyway
  // (no offline queue; a dropped connection rejects what it had not answered).
  const appendSender = {
    sendCommand: (args: string[]): Promise<unknown> =>
      isReady ? cmd.sendCommand(args, UNTIMED) : ready().then(() => cmd.sendCommand(args, UNTIMED)),
  };

  // One subscription per channel, shared by its listeners.
  const channels = new Map<string, Set<(message: string) => void>>();
  const onMessage = (message: string, channel: string) => {
    for (const listener of [...(channels.get(channel) ?? [])]) {
      try {
        listener(message);
      } catch {
        // A listener's failure is its own.
      }
    }
  };
  const listen = async (channel: string, listener: (message: string) => void) => {
    let listeners = channels.get(channel);
    if (listeners === undefined) {
      channels.set(channel, (listeners = new Set([listener])));
      await ready();
      await (sharded ? sub.sSubscribe(channel, onMessage) : sub.subscribe(channel, onMessage));
    } else listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0 || channels.get(channel) !== listeners) return;
      channels.delete(channel);
      const done = sharded
        ? sub.sUnsubscribe(channel, onMessage)
        : sub.unsubscribe(channel, onMessage);
      done.catch(() => {});
    };
  };

  const close = async () => {
    closed = true;
    channels.clear();
    await Promise.all([cmd, sub].map((c) => shut(c)));
  };
  return { send, sender, appendSender, ready, listen, close, sharded: () => sharded };
}

async function shut(client: Client): Promise<void> {
  try {
    if (client.isReady) await client.close();
    else client.destroy();
  } catch {
    // already closed
  }
}
