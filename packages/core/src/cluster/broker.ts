/**
 * The message broker contract: how one instance hands room, user, connection and broadcast sends
 * to the others, and where cluster presence lives. Core ships the in-memory broker (one process);
 * `@agentsocket/redis` implements the same interface on Redis.
 *
 * Delivery through a broker is at-most-once and ordered per publisher and topic (Redis pub/sub
 * drops messages to a subscriber that falls behind, and during an outage).
 */
import type { TicketStore } from "../limits/tickets.ts";
import type { StreamStore } from "../stream-store/stream-store.ts";
import type { WebSocketData } from "../types.ts";

/** A pub/sub topic: every node (`all`), one room, one user, or one node's inbox. */
export type BrokerTopic = "all" | `room:${string}` | `user:${string}` | `node:${string}`;

/** Who a cross-instance message is for. */
export type BrokerTarget =
  { all: true } | { rooms: string[] } | { user: string } | { connection: string };

/** A message between instances. */
export interface BrokerMessage {
  /** The publishing node: receivers drop their own echoes. */
  src: string;
  to: BrokerTarget;
  /** Connection ids that must not receive it. */
  except?: string[];
  /** The frame exactly as clients receive it, encoded once by the publisher. */
  data: WebSocketData;
}

/** `ready`: cross-instance traffic flows; `down`: the broker cannot be reached (local sends still work). */
export type BrokerState = "ready" | "down";

/** One (room, connection) membership, as presence stores it. */
export interface PresenceMember {
  room: string;
  connectionId: string;
  userId?: string;
}

/** A node as cluster presence sees it. */
export interface PresenceNode {
  id: string;
  connections: number;
  /** The node's last heartbeat (ms since epoch). */
  lastSeen: number;
}

/** Cluster-wide presence: room membership and live nodes, expiring when a node stops refreshing. */
export interface PresenceStore {
  add(member: PresenceMember): Promise<void>;
  remove(member: PresenceMember): Promise<void>;
  /** Members and distinct users of `room` across the cluster. */
  roomInfo(room: string): Promise<{ memberCount: number; userCount: number }>;
  /** The live nodes. */
  nodes(): Promise<PresenceNode[]>;
}

/**
 * Cluster-wide counters behind `maxConnectionsPerUser` and `agent.maxStreamsPerMinute`, when a
 * broker keeps them (`createRedisBroker()` does, on Redis). Without one, core counts on this
 * instance, synchronously. Any call may reject (the store down, or past its own short timeout):
 * core then decides by this instance's own count — the limits fail open, handshakes and streams
 * are never held up by the store.
 */
export interface LimitStore {
  /**
   * Records a stream start of `key` unless `max` were recorded in the last `windowMs`, across the
   * cluster. @returns `undefined` when recorded, else the ms until a start will be.
   */
  startStream(key: string, max: number, windowMs: number): Promise<number | undefined>;
  /**
   * Takes one of `userId`'s `max` connection places for `slot` (a handshake, later its
   * connection), unless the user holds `max` across the cluster. The store keeps a place alive
   * while this instance lives (its entries expire on their own when it dies) and until
   * {@link release}. @returns whether the place was taken.
   */
  acquire(userId: string, slot: string, max: number): Promise<boolean>;
  /** Gives `slot`'s place back at once (never rejects). */
  release(userId: string, slot: string): void;
}

/** What a broker learns about the node it serves, in {@link MessageBroker.start}. */
export interface BrokerNode {
  readonly nodeId: string;
  /** Delivers a message from another node to this node's connections. */
  receive(message: BrokerMessage): void;
  /** Every membership of this node (presence refreshes and restores after an outage). */
  memberships(): Iterable<PresenceMember>;
  /** Open connections of this node (presence heartbeats). */
  connectionCount(): number;
  /** Tells core the broker went down or came back. */
  stateChanged(state: BrokerState): void;
}

/**
 * A broker connects the instances of one cluster. Core subscribes a room or user topic while this
 * instance has a local member of it, `all` and its own `node:` topic for its whole life.
 */
export interface MessageBroker {
  /** Connects; resolves once ready or once the first attempt failed (it keeps retrying). */
  start(node: BrokerNode): Promise<void>;
  /** At-most-once; rejects at once (nothing is queued) while the broker is down. */
  publish(topic: BrokerTopic, message: BrokerMessage): Promise<void>;
  subscribe(topic: BrokerTopic): Promise<void>;
  unsubscribe(topic: BrokerTopic): Promise<void>;
  /** Cluster presence, when this broker keeps it. */
  readonly presence?: PresenceStore;
  /** Where WebSocket tickets wait, when this broker keeps them (so any instance redeems them). */
  readonly tickets?: TicketStore;
  /** Cluster-wide limit counters, when this broker keeps them (else each instance counts its own). */
  readonly limits?: LimitStore;
  readonly state: BrokerState;
  /**
   * A stream log shared by the cluster's instances, so a stream may be resumed on any of them;
   * `createServer` uses it for `agent.resume` when no `store` is given (undefined when this broker
   * cannot keep one: then each instance keeps its own streams). Closed with the broker.
   */
  streamStore?(): StreamStore | undefined;
  /** Removes this node's presence at once and disconnects. */
  close(): Promise<void>;
}
