/**
 * The room, user and cluster-wide sends of {@link WebSocketConnectionManager} (seed 000's rooms
 * API), each a thin call into the manager's {@link Fanout}.
 */
import type { WebSocketConnection } from "../types.ts";
import type { OutboundFrame } from "../rooms/outbound.ts";
import type { RoomInfo } from "../rooms/room-registry.ts";
import type { ClusterView } from "./cluster-view.ts";
import type { MessageBroker } from "./broker.ts";
import { createBrokerFromConfig, type BrokerConfig } from "./broker-registry.ts";
import type { BroadcastOptions, Fanout } from "./fanout.ts";

export abstract class FanoutMethods {
  /** Set by the manager's constructor. @internal */
  protected fanout!: Fanout;

  /** The cluster this instance belongs to (just itself without a broker). */
  get cluster(): ClusterView {
    return this.fanout.cluster;
  }

  /**
   * Seed 000's way to join a cluster: a broker, or `{ type: "redis", url, prefix }` once
   * `@agentsocket/redis` is imported. Same as `WebSocketConfig.broker`, before any connection.
   * @throws {TypeError} for an unknown type; {Error} once a connection is open.
   */
  setMessageBroker(broker: MessageBroker | BrokerConfig): void {
    const isBroker = typeof (broker as MessageBroker)?.publish === "function";
    this.fanout.setBroker(
      isBroker ? (broker as MessageBroker) : createBrokerFromConfig(broker as BrokerConfig),
    );
  }

  /** Sends to every connection: of the cluster, or with a filter of this instance only. */
  broadcast(
    data: OutboundFrame,
    filter?: ((c: WebSocketConnection) => boolean) | BroadcastOptions,
  ) {
    return this.fanout.toAll(data, filter);
  }

  /** Adds a connection to a room. @returns false: unknown connection, bad name or room limit. */
  joinRoom(connectionId: string, room: string): boolean {
    const { outcome } = this.fanout.join(connectionId, room);
    return outcome === "joined" || outcome === "already";
  }

  /** @returns whether the connection was in the room. */
  leaveRoom(connectionId: string, room: string): boolean {
    return this.fanout.leave(connectionId, room);
  }

  /** The room on this instance (`cluster.fetchRoomInfo` counts every instance). */
  getRoomInfo(room: string): RoomInfo | undefined {
    return this.fanout.registry.info(room);
  }

  /** The rooms of one connection (seed 000's name). */
  getUserRooms(connectionId: string): string[] {
    return this.fanout.registry.roomsOf(connectionId);
  }

  /** Rooms with a member on this instance. */
  getRooms(): string[] {
    return this.fanout.registry.rooms();
  }

  /** Sends to the members of `room` on every instance. @returns local deliveries. */
  broadcastToRoom(room: string, data: OutboundFrame, options?: BroadcastOptions): number {
    return this.fanout.toRooms([room], data, options);
  }

  /** Like broadcastToRoom for several rooms; each connection gets one copy. */
  broadcastToRooms(rooms: readonly string[], data: OutboundFrame, options?: BroadcastOptions) {
    return this.fanout.toRooms(rooms, data, options);
  }

  /** Sends to every connection of a user on every instance. @returns local deliveries. */
  sendToUser(userId: string, data: OutboundFrame, options?: BroadcastOptions): number {
    return this.fanout.toUser(userId, data, options);
  }

  /** Sends to a connection of any instance. @returns sent here, or handed to the broker. */
  sendToConnection(connectionId: string, data: OutboundFrame): boolean {
    return this.fanout.toConnection(connectionId, data);
  }
}
