/**
 * `manager.cluster`: what the whole cluster looks like (room presence, nodes) and how this node's
 * broker is doing (state, publish counters), plus its lifecycle (`ready()`, `close()`).
 */
import { WebSocketError } from "../errors.ts";
import type { BrokerState, MessageBroker } from "./broker.ts";

/** A room across every instance of the cluster. */
export interface ClusterRoomInfo {
  name: string;
  memberCount: number;
  userCount: number;
}

/** Connections per live node. */
export interface ClusterStats {
  connections: number;
  nodes: Array<{ id: string; connections: number; lastSeen: number }>;
}

export interface FanoutCounters {
  /** Messages handed to the broker. */
  published: number;
  /** Publishes the broker refused (it was down): the frame reached local members only. */
  publishFailures: number;
  /** Messages received from other nodes. */
  received: number;
}

/** This node's broker, as `manager.cluster.health()` reports it. */
export interface ClusterHealth extends FanoutCounters {
  nodeId: string;
  state: BrokerState;
}

/** `manager.cluster`. */
export interface ClusterView {
  /** This instance's node id (the prefix of its connection ids when a broker is configured). */
  readonly nodeId: string;
  /** Resolves once the broker has started (connected, or its first attempt failed). */
  ready(): Promise<void>;
  /** Members and users of `room` on every instance. @throws {WebSocketError} BROKER_UNAVAILABLE */
  fetchRoomInfo(room: string): Promise<ClusterRoomInfo>;
  /** Live nodes and their connections. @throws {WebSocketError} BROKER_UNAVAILABLE */
  fetchStats(): Promise<ClusterStats>;
  health(): ClusterHealth;
  /** Removes this node's presence and disconnects the broker. Idempotent. */
  close(): Promise<void>;
}

interface ClusterViewSource {
  nodeId: string;
  broker: () => MessageBroker;
  counters: FanoutCounters;
  state: () => BrokerState;
  started: () => Promise<void>;
}

function unavailable(what: string, cause?: unknown): WebSocketError {
  return new WebSocketError(what, { code: "BROKER_UNAVAILABLE", cause });
}

export function createClusterView(source: ClusterViewSource): ClusterView {
  const { counters, nodeId } = source;
  let closing: Promise<void> | undefined;
  const store = async () => {
    await source.started();
    const { presence } = source.broker();
    if (presence === undefined) throw unavailable("This broker keeps no presence");
    return presence;
  };
  const guarded = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof WebSocketError) throw error;
      throw unavailable(`${what}: the broker is unavailable`, error);
    }
  };
  return {
    nodeId,
    ready: () => source.started().catch(() => {}),
    fetchRoomInfo: (room) =>
      guarded("fetchRoomInfo", async () => ({
        name: room,
        ...(await (await store()).roomInfo(room)),
      })),
    fetchStats: () =>
      guarded("fetchStats", async () => {
        const nodes = await (await store()).nodes();
        return { connections: nodes.reduce((sum, n) => sum + n.connections, 0), nodes };
      }),
    health: () => ({ nodeId, state: source.state(), ...counters }),
    close: () =>
      (closing ??= source
        .started()
        .catch(() => {})
        .then(() => source.broker().close())
        .catch(() => {})),
  };
}
