/**
 * Room, user, connection and broadcast sends for one instance: local delivery first, then one
 * publish to the broker for the other instances. Subscriptions follow local interest: a room or
 * user topic is subscribed while this instance has a member of it (reference counted by the room
 * registry and the user count), `all` and this node's inbox always.
 */
import { WebSocketError } from "../errors.ts";
import { encodeOutbound, type OutboundFrame } from "../rooms/outbound.ts";
import { RoomRegistry, type JoinOutcome } from "../rooms/room-registry.ts";
import { resolveRoomsOptions, type ResolvedRoomsOptions } from "../rooms/options.ts";
import { roomFrameWrapper } from "../rooms/room-frames.ts";
import type {
  WebSocketConfig,
  WebSocketConnection,
  WebSocketData,
  WebSocketHandler,
} from "../types.ts";
import { FanoutHost, toMember, type Entry, type ParkedConnections } from "./local-delivery.ts";
import { Subscriptions } from "./subscriptions.ts";
import type {
  BrokerMessage,
  BrokerState,
  BrokerTarget,
  BrokerTopic,
  MessageBroker,
  PresenceMember,
} from "./broker.ts";
import { createMemoryBroker } from "./memory-broker.ts";
import { createClusterView, type ClusterView, type FanoutCounters } from "./cluster-view.ts";

/** Options of room, user and broadcast sends. */
export interface BroadcastOptions {
  /** Connection id(s) that must not receive the frame. */
  except?: string | readonly string[];
  /** Deliver on this instance only (skip the broker). @default false */
  local?: boolean;
}

const NODE_ID_BYTES = 6;

function randomNodeId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(NODE_ID_BYTES));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const exceptSet = (except: BroadcastOptions["except"]): ReadonlySet<string> | undefined =>
  except === undefined ? undefined : new Set(typeof except === "string" ? [except] : except);

export class Fanout {
  readonly nodeId = randomNodeId();
  readonly rooms: ResolvedRoomsOptions;
  readonly registry: RoomRegistry;
  readonly cluster: ClusterView;
  #broker!: MessageBroker;
  /** Whether a broker was configured (then connection ids carry the node id). */
  #clustered = false;
  readonly #users = new Map<string, number>();
  readonly #subscriptions = new Subscriptions(() => this.#broker);
  readonly #counters: FanoutCounters = { published: 0, publishFailures: 0, received: 0 };
  #state: BrokerState = "ready";
  #started!: Promise<void>;

  private readonly host: FanoutHost;

  /** @throws {TypeError} for invalid `rooms` or `broker` options. */
  constructor(
    config: Pick<WebSocketConfig, "rooms" | "broker">,
    byId: ReadonlyMap<string, Entry>,
    byUser: ReadonlyMap<string, ReadonlySet<Entry>>,
    send: (id: string, data: WebSocketData) => boolean,
    parked?: ParkedConnections,
  ) {
    this.host = new FanoutHost(byId, byUser, send, parked);
    this.rooms = resolveRoomsOptions(config.rooms);
    if (config.broker !== undefined && typeof config.broker?.publish !== "function")
      throw new TypeError(
        'The "broker" option must be a MessageBroker (e.g. createMemoryBroker())',
      );
    this.registry = new RoomRegistry(this.rooms, {
      opened: (room) => this.#subscriptions.set(`room:${room}`, true),
      closed: (room) => this.#subscriptions.set(`room:${room}`, false),
    });
    this.withRoomFrames = roomFrameWrapper({
      authorizeJoin: this.rooms.authorizeJoin,
      maxRoomsPerConnection: this.rooms.maxRoomsPerConnection,
      maxRoomNameLength: this.rooms.maxRoomNameLength,
      isValidName: (room: unknown): room is string => this.registry.isValidName(room),
      join: (id: string, room: string) => this.join(id, room),
      leave: (id: string, room: string) => this.leave(id, room),
    });
    this.#install(config.broker);
    this.cluster = createClusterView({
      nodeId: this.nodeId,
      broker: () => this.#broker,
      counters: this.#counters,
      state: () => this.#state,
      started: () => this.#started,
    });
  }

  /**
   * Replaces the broker (seed 000's `setMessageBroker`); only before the first connection, so
   * every connection id carries the node id and no subscription is left behind.
   * @throws {Error} once a connection is open.
   */
  setBroker(broker: MessageBroker): void {
    if (typeof broker?.publish !== "function")
      throw new TypeError("setMessageBroker: give a MessageBroker or { type, ...options }");
    if (this.host.connectionCount() > 0)
      throw new Error("setMessageBroker() must be called before the first connection");
    const previous = this.#broker;
    this.#install(broker);
    void previous.close().catch(() => {});
  }

  #install(broker: MessageBroker | undefined): void {
    this.#clustered = broker !== undefined;
    const installed = (this.#broker = broker ?? createMemoryBroker());
    this.#state = installed.state;
    this.#started = installed
      .start({
        nodeId: this.nodeId,
        receive: (message) => this.#receive(message),
        memberships: () => this.#memberships(),
        connectionCount: () => this.host.connectionCount(),
        stateChanged: (state) => {
          if (this.#broker === installed) this.#state = state;
        },
      })
      .then(() => {
        if (this.#broker === installed) this.#state = installed.state;
      });
    this.#started.catch(() => {});
  }

  /** `handler` with the `join`/`leave` system frames answered in front of it (cached). */
  readonly withRoomFrames: (handler: WebSocketHandler | undefined) => WebSocketHandler;

  /** A new connection id: with a broker, `<nodeId>.<uuid>` so other nodes can route to it. */
  newConnectionId(): string {
    const uuid = crypto.randomUUID();
    return this.#clustered ? `${this.nodeId}.${uuid}` : uuid;
  }

  opened(connection: WebSocketConnection): void {
    const userId = connection.user?.id;
    if (userId === undefined) return;
    const count = (this.#users.get(userId) ?? 0) + 1;
    this.#users.set(userId, count);
    if (count === 1) this.#subscriptions.set(`user:${userId}`, true);
  }

  closed(connection: WebSocketConnection): void {
    for (const room of this.registry.leaveAll(connection.id))
      this.#presence("remove", room, connection);
    const userId = connection.user?.id;
    if (userId === undefined) return;
    const count = (this.#users.get(userId) ?? 1) - 1;
    if (count > 0) return void this.#users.set(userId, count);
    this.#users.delete(userId);
    this.#subscriptions.set(`user:${userId}`, false);
  }

  /**
   * Adds a connection to a room. `settled` resolves once the room's subscription and presence
   * entry are in place (never rejects: a broker outage is counted, local membership holds).
   */
  join(
    connectionId: string,
    room: string,
  ): { outcome: JoinOutcome | "unknown"; settled: Promise<void> } {
    const connection = this.host.connection(connectionId);
    if (connection === undefined) return { outcome: "unknown", settled: Promise.resolve() };
    const outcome = this.registry.join(connection, room);
    if (outcome !== "joined") return { outcome, settled: Promise.resolve() };
    const subscribed = this.#subscriptions.settled(`room:${room}`);
    return {
      outcome,
      settled: Promise.all([subscribed, this.#presence("add", room, connection)]).then(() => {}),
    };
  }

  leave(connectionId: string, room: string): boolean {
    const connection = this.host.connection(connectionId);
    if (connection === undefined || !this.registry.leave(connectionId, room)) return false;
    this.#presence("remove", room, connection);
    return true;
  }

  toRoom(room: string, frame: OutboundFrame, options: BroadcastOptions = {}): number {
    return this.toRooms([room], frame, options);
  }

  /** Each connection once, however many of the rooms it is in. */
  toRooms(rooms: readonly string[], frame: OutboundFrame, options: BroadcastOptions = {}): number {
    if (!Array.isArray(rooms)) throw new TypeError("broadcastToRooms: rooms must be an array");
    const data = encodeOutbound(frame);
    const except = exceptSet(options.except);
    const unique = [...new Set(rooms)];
    const sent = this.host.deliverRooms(this.registry, unique, data, except);
    if (!options.local && unique.length > 0) {
      // One room: its own topic. Several: one message on `all`, so nobody gets two copies.
      const topic: BrokerTopic = unique.length === 1 ? `room:${unique[0]}` : "all";
      this.#publish(topic, { rooms: unique }, data, except);
    }
    return sent;
  }

  /** Without a filter, every connection of the cluster; a filter (a function) stays local. */
  toAll(
    frame: OutboundFrame,
    filter?: ((c: WebSocketConnection) => boolean) | BroadcastOptions,
  ): number {
    const data = encodeOutbound(frame);
    const options = typeof filter === "function" ? { local: true } : (filter ?? {});
    const accept = typeof filter === "function" ? filter : undefined;
    const except = exceptSet(options.except);
    const sent = this.host.deliverAll(data, except, accept);
    if (!options.local) this.#publish("all", { all: true }, data, except);
    return sent;
  }

  toUser(userId: string, frame: OutboundFrame, options: BroadcastOptions = {}): number {
    const data = encodeOutbound(frame);
    const except = exceptSet(options.except);
    const sent = this.host.deliverUser(userId, data, except);
    if (!options.local) this.#publish(`user:${userId}`, { user: userId }, data, except);
    return sent;
  }

  /** A local connection gets the frame now; another node's goes through that node's inbox. */
  toConnection(connectionId: string, frame: OutboundFrame): boolean {
    const data = encodeOutbound(frame);
    const local = this.host.connection(connectionId);
    if (local !== undefined) return this.host.send(local, data);
    const dot = connectionId.indexOf(".");
    const node = dot > 0 ? connectionId.slice(0, dot) : undefined;
    if (node === undefined || node === this.nodeId || this.#state !== "ready") return false;
    this.#publish(`node:${node}`, { connection: connectionId }, data, undefined);
    return true;
  }

  #presence(op: "add" | "remove", room: string, connection: WebSocketConnection): Promise<void> {
    const store = this.#broker.presence;
    if (store === undefined) return Promise.resolve();
    return store[op](toMember(room, connection)).catch(() => {});
  }

  *#memberships(): IterableIterator<PresenceMember> {
    for (const { room, connection } of this.registry.memberships())
      yield toMember(room, connection);
  }

  #publish(
    topic: BrokerTopic,
    to: BrokerTarget,
    data: WebSocketData,
    except: ReadonlySet<string> | undefined,
  ): void {
    if (!this.#clustered) return;
    const message: BrokerMessage = { src: this.nodeId, to, data };
    if (except !== undefined && except.size > 0) message.except = [...except];
    this.#counters.published++;
    let pending: Promise<void>;
    try {
      pending = this.#broker.publish(topic, message);
    } catch {
      pending = Promise.reject(new WebSocketError("publish threw"));
    }
    pending.catch(() => {
      this.#counters.published--;
      this.#counters.publishFailures++;
    });
  }

  #receive(message: BrokerMessage): void {
    if (message.src === this.nodeId) return; // our own publish, already delivered locally
    this.#counters.received++;
    const except = message.except === undefined ? undefined : new Set(message.except);
    const { to, data } = message;
    if ("rooms" in to) this.host.deliverRooms(this.registry, to.rooms, data, except);
    else if ("user" in to) this.host.deliverUser(to.user, data, except);
    else if ("connection" in to) {
      const connection = this.host.connection(to.connection);
      if (connection !== undefined) this.host.send(connection, data);
    } else this.toAll(data, { local: true, ...(message.except ? { except: message.except } : {}) });
  }
}
