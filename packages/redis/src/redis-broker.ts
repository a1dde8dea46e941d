/**
 * The Redis broker: two node-redis connections (publisher with no offline queue, so publishes
 * fail fast during an outage; subscriber, which node-redis resubscribes after a reconnect), topics
 * subscribed only while core has local interest, sharded pub/sub on Redis 7+, presence refreshed
 * by an unref'd heartbeat and restored when Redis comes back.
 */
import { createClient, type RedisClientType, type RedisClusterType } from "redis";
import type {
  BrokerMessage,
  BrokerNode,
  BrokerState,
  BrokerTopic,
  LimitStore,
  MessageBroker,
  TicketStore,
} from "@agentsocket/core";
import {
  resolveOptions,
  type RedisBrokerOptions,
  type ResolvedRedisBrokerOptions,
} from "./options.ts";
import { RedisLimitStore } from "./limits.ts";
import { RedisPresence } from "./presence.ts";
import { RedisReconnectRecords, type RedisReconnectStore } from "./reconnect-store.ts";
import { RedisTicketStore } from "./tickets.ts";
import { createRedisStreamStore, type RedisStreamStore } from "./stream-store.ts";
import { channelOf, decodeMessage, encodeMessage } from "./wire.ts";

type Client = RedisClientType<any, any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Cluster = RedisClusterType<any, any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A Redis Cluster client (`createCluster()`) rather than a single connection. */
const isCluster = (client: unknown): client is Cluster =>
  typeof client === "object" && client !== null && "masters" in client;

/** The key a cluster routes a presence command by: the script's first key, else the first argument. */
const routingKey = (args: string[]) => (/^EVAL/i.test(args[0] ?? "") ? args[3] : args[1]);

/** A {@link MessageBroker} on Redis, with a few counters for health pages. */
export interface RedisBroker extends MessageBroker {
  /** WebSocket tickets on Redis (`SET PX` + `GETDEL`): the manager uses it unless given its own. */
  readonly tickets: TicketStore;
  /**
   * `maxConnectionsPerUser` and `agent.maxStreamsPerMinute` across the cluster (undefined with
   * `limits: false`): the manager and `createServer`'s agent use it.
   */
  readonly limits: LimitStore | undefined;
  /** Whether pub/sub is sharded (known once connected). */
  readonly sharded: boolean;
  /** Times the broker came back after being down. */
  readonly reconnects: number;
  /** The Redis stream log on this broker's Redis and prefix (made once, closed with the broker). */
  /** The cluster's stream log on this Redis; undefined on a Redis Cluster (not slot-routed yet). */
  streamStore(): RedisStreamStore | undefined;
  /**
   * Where the Socket.IO binding's gone clients wait for `ai:reconnect` (on this broker's
   * connection and prefix), so a client may reconnect to any instance. Made once.
   */
  reconnectStore(): RedisReconnectStore;
}

class RedisMessageBroker implements RedisBroker {
  state: BrokerState = "down";
  sharded = false;
  reconnects = 0;
  readonly presence: RedisPresence | undefined;
  readonly tickets: RedisTicketStore;
  readonly limits: RedisLimitStore | undefined;
  readonly #options: ResolvedRedisBrokerOptions;
  readonly #topics = new Set<BrokerTopic>();
  readonly #listener = (text: string) => {
    const message = decodeMessage(text);
    if (message !== undefined) this.#node?.receive(message);
  };
  #pub: Client | undefined;
  #sub: Client | undefined;
  #node: BrokerNode | undefined;
  /** Set once the first connection subscribed every topic; node-redis resubscribes after that. */
  #wired = false;
  #wiring = false;
  #closed = false;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #streams: RedisStreamStore | undefined;
  #reconnects: RedisReconnectRecords | undefined;

  constructor(options: RedisBrokerOptions) {
    this.#options = resolveOptions(options);
    const { presence, prefix } = this.#options;
    this.presence = presence
      ? new RedisPresence(
          { sendCommand: (args) => this.#command(args) },
          prefix,
          presence.ttlMs,
          () => this.#node,
        )
      : undefined;
    this.tickets = new RedisTicketStore({ sendCommand: (args) => this.#command(args) }, prefix);
    const { limits } = this.#options;
    this.limits = limits
      ? new RedisLimitStore(
          { sendCommand: (args) => this.#command(args) },
          prefix,
          limits.ttlMs,
          limits.timeoutMs,
        )
      : undefined;
  }

  async start(node: BrokerNode): Promise<void> {
    if (this.#node !== undefined) throw new Error("This Redis broker has already been started");
    this.#node = node;
    this.#topics.add("all").add(`node:${node.nodeId}`);
    const { url, client } = this.#options;
    // Our own connections: the user's client is a template, never touched.
    // A cluster's offline queue is per node (`defaults`); its own options stay the user's.
    const pub = (this.#pub = (
      client === undefined
        ? createClient({ url, disableOfflineQueue: true })
        : isCluster(client)
          ? client.duplicate({
              defaults: { ...client._options.defaults, disableOfflineQueue: true },
            })
          : (client as Client).duplicate({ disableOfflineQueue: true })
    ) as Client);
    const sub = (this.#sub = (
      client ? (client as Client).duplicate() : createClient({ url })
    ) as Client);
    let failed!: () => void;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    for (const c of [pub, sub]) {
      // Without an error listener node-redis errors would crash the process.
      c.on("error", () => {
        failed();
        this.#update();
      });
      // A cluster client reports its nodes instead: node-ready, node-disconnect, …
      for (const event of ["ready", "end", "reconnecting", "node-ready", "node-disconnect"])
        c.on(event, () => this.#update());
    }
    const connected = Promise.all([pub.connect(), sub.connect()]);
    connected.catch(() => {});
    await Promise.race([connected.then(() => this.#ready()), firstFailure]);
    const timing = this.#options.presence || this.#options.limits;
    if (timing) {
      this.#heartbeat = setInterval(() => this.#beat(), timing.heartbeatMs);
      this.#heartbeat.unref?.();
    }
  }

  publish(topic: BrokerTopic, message: BrokerMessage): Promise<void> {
    const pub = this.#pub;
    if (this.state !== "ready" || pub === undefined)
      return Promise.reject(new Error("Redis is unavailable"));
    const channel = channelOf(this.#options.prefix, topic);
    const text = encodeMessage(message);
    return (this.sharded ? pub.sPublish(channel, text) : pub.publish(channel, text)).then(() => {});
  }

  subscribe(topic: BrokerTopic): Promise<void> {
    this.#topics.add(topic);
    return this.#wired ? this.#subscribe(topic, true) : Promise.resolve();
  }

  unsubscribe(topic: BrokerTopic): Promise<void> {
    this.#topics.delete(topic);
    return this.#wired ? this.#subscribe(topic, false) : Promise.resolve();
  }

  streamStore(): RedisStreamStore | undefined {
    const { url, client, prefix, sharded } = this.#options;
    // The stream store speaks to one server (its Lua and XREAD are not slot-routed yet), so on a
    // Redis Cluster resume keeps each stream on its own instance (core's in-memory store).
    if (isCluster(client)) return undefined;
    this.#streams ??= createRedisStreamStore({
      ...(client ? { client: client as Client } : { url }),
      prefix,
      sharded,
    });
    return this.#streams;
  }

  reconnectStore(): RedisReconnectStore {
    const redis = { sendCommand: (args: string[]) => this.#command(args) };
    return (this.#reconnects ??= new RedisReconnectRecords(redis, this.#options.prefix));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#streams?.close();
    clearInterval(this.#heartbeat);
    if (this.state === "ready")
      await Promise.all([this.presence?.removeNode().catch(() => {}), this.limits?.releaseAll()]);
    this.#closed = true;
    this.state = "down";
    await Promise.all([this.#sub, this.#pub].map((c) => shut(c)));
  }

  #subscribe(topic: BrokerTopic, on: boolean): Promise<void> {
    const sub = this.#sub!;
    const channel = channelOf(this.#options.prefix, topic);
    const done = this.sharded
      ? on
        ? sub.sSubscribe(channel, this.#listener)
        : sub.sUnsubscribe(channel, this.#listener)
      : on
        ? sub.subscribe(channel, this.#listener)
        : sub.unsubscribe(channel, this.#listener);
    // While Redis is down the command waits for the reconnect, which resubscribes anyway.
    if (this.state !== "ready") {
      done.catch(() => {});
      return Promise.resolve();
    }
    return done.then(() => {});
  }

  #update(): void {
    const ready = !this.#closed && this.#pub?.isReady === true && this.#sub?.isReady === true;
    if (ready && !this.#wired) return void this.#ready();
    const state: BrokerState = ready ? "ready" : "down";
    if (state === this.state) return;
    this.state = state;
    if (ready) {
      this.reconnects++;
      void this.#beat(); // Redis may have lost everything: restore this node's presence
    }
    this.#node?.stateChanged(state);
  }

  /** First connection: pick sharded or classic pub/sub, subscribe every topic, go ready. */
  async #ready(): Promise<void> {
    if (this.#wired || this.#wiring || this.#closed) return;
    if (this.#pub?.isReady !== true || this.#sub?.isReady !== true) return;
    this.#wiring = true;
    try {
      const { sharded } = this.#options;
      this.sharded = sharded === "auto" ? await supportsSharded(this.#pub) : sharded;
      this.#wired = true;
      await Promise.all([...this.#topics].map((topic) => this.#subscribe(topic, true)));
    } catch {
      this.#wired = false; // the connection dropped meanwhile; the next "ready" retries
      return;
    } finally {
      this.#wiring = false;
    }
    this.#update();
    await this.#beat();
  }

  async #beat(): Promise<void> {
    if (this.state !== "ready") return;
    await Promise.all([this.presence?.heartbeat().catch(() => {}), this.limits?.refresh()]);
  }

  #command(args: string[]): Promise<unknown> {
    const pub = this.#pub;
    if (pub === undefined) return Promise.reject(new Error("Redis broker not started"));
    if (isCluster(pub)) return (pub as Cluster).sendCommand(routingKey(args), false, args);
    return pub.sendCommand(args);
  }
}

async function supportsSharded(client: Client): Promise<boolean> {
  const info = String(await client.info("server")); // a cluster asks any of its nodes
  const major = Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0);
  return major >= 7;
}

async function shut(client: Client | undefined): Promise<void> {
  if (client === undefined) return;
  try {
    if (client.isReady) await client.close();
    else client.destroy();
  } catch {
    // already closed
  }
}

/**
 * A broker that carries agentsocket's room, user, connection and broadcast sends between the
 * instances of a cluster over Redis pub/sub, and keeps cluster presence. Delivery is
 * at-most-once: Redis drops messages while it is down or when a subscriber falls behind.
 * @throws {TypeError} naming the first invalid option.
 * @example
 * const manager = new WebSocketConnectionManager({
 *   broker: createRedisBroker({ url: process.env.REDIS_URL!, prefix: "chat" }),
 * });
 */
export function createRedisBroker(options: RedisBrokerOptions): RedisBroker {
  return new RedisMessageBroker(options);
}
