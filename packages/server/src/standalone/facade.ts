/**
 * Seed 000's room, send and connection-data methods of the standalone server, each a call into
 * its {@link WebSocketConnectionManager} (rooms, users and broadcasts cross instances when a
 * broker is set).
 */
import {
  createStreamingChannel,
  type StreamingChannel,
  type StreamingChannelOptions,
  type WebSocketConnectionManager,
} from "@agentsocket/core";

/** Anything the manager sends: an object (as JSON), a string, or bytes. */
type Outbound = Parameters<WebSocketConnectionManager["broadcast"]>[0];

/** A streaming channel whose `send` also takes a frame object (seed 000: `{ type, data }`). */
export interface StandaloneChannel extends Omit<StreamingChannel, "send"> {
  /** Text becomes `chunk` frames; an object with a `type` is sent as it is, in order. */
  send(piece: string | (Record<string, unknown> & { type: string })): Promise<void> | undefined;
}

export abstract class StandaloneFacade {
  /** The connection manager underneath (auth, limits, heartbeat, rooms, broker). */
  abstract readonly websocket: WebSocketConnectionManager;
  readonly #data = new Map<string, unknown>();

  /** Adds a connection to a room. @returns false for an unknown connection or a room limit. */
  joinRoom(connectionId: string, room: string): boolean {
    return this.websocket.joinRoom(connectionId, room);
  }

  leaveRoom(connectionId: string, room: string): boolean {
    return this.websocket.leaveRoom(connectionId, room);
  }

  /** The room on this instance: `{ name, memberCount, ... }`. */
  getRoomInfo(room: string) {
    return this.websocket.getRoomInfo(room);
  }

  /** The rooms of one connection. */
  getUserRooms(connectionId: string): string[] {
    return this.websocket.getUserRooms(connectionId);
  }

  getRooms(): string[] {
    return this.websocket.getRooms();
  }

  broadcastToRoom(room: string, data: Outbound): number {
    return this.websocket.broadcastToRoom(room, data);
  }

  broadcastToRooms(rooms: readonly string[], data: Outbound): number {
    return this.websocket.broadcastToRooms(rooms, data);
  }

  /** Sends to every connection of the cluster. */
  broadcast(data: Outbound) {
    return this.websocket.broadcast(data);
  }

  sendToUser(userId: string, data: Outbound): number {
    return this.websocket.sendToUser(userId, data);
  }

  /** Sends one frame to a connection of any instance (objects as JSON). */
  sendMessage(connectionId: string, data: Outbound): boolean {
    return this.websocket.sendToConnection(connectionId, data);
  }

  /** Closes a connection. @default code 1000 */
  closeConnection(connectionId: string, reason = "", code = 1000): Promise<void> {
    return this.websocket.close(connectionId, code, reason);
  }

  /** Keeps `data` with a connection until it closes. */
  setConnectionData(connectionId: string, data: unknown): void {
    if (this.websocket.getConnection(connectionId)) this.#data.set(connectionId, data);
  }

  getConnectionData(connectionId: string): unknown {
    return this.#data.get(connectionId);
  }

  getConnectionCount(): number {
    return this.websocket.getConnectionCount();
  }

  /**
   * A channel streaming to one connection; every frame carries `requestId: name`.
   * @throws {TypeError} for a connection that is not open on this instance.
   */
  createStreamingChannel(
    connectionId: string,
    name: string,
    options: Omit<StreamingChannelOptions, "requestId"> = {},
  ): StandaloneChannel {
    const connection = this.websocket.getConnection(connectionId);
    if (!connection) throw new TypeError(`createStreamingChannel: no connection ${connectionId}`);
    const channel = createStreamingChannel(connection, { ...options, requestId: name });
    return new ObjectChannel(channel);
  }

  /** Forgets a closed connection's data. */
  protected forget(connectionId: string): void {
    this.#data.delete(connectionId);
  }
}

/**
 * Seed 000's channel: core's, whose `send` also takes a frame object. It forwards rather than
 * inherits: core's channel keeps its state in private fields, which an object made with
 * `Object.create(channel)` cannot reach.
 */
class ObjectChannel implements StandaloneChannel {
  readonly #channel: StreamingChannel;

  constructor(channel: StreamingChannel) {
    this.#channel = channel;
  }

  get requestId(): string {
    return this.#channel.requestId;
  }

  get ended(): boolean {
    return this.#channel.ended;
  }

  send(piece: string | (Record<string, unknown> & { type: string })): Promise<void> | undefined {
    if (typeof piece === "string") return this.#channel.send(piece);
    this.#channel.event(piece);
    return undefined;
  }

  event(frame: Record<string, unknown> & { type: string }): void {
    this.#channel.event(frame);
  }

  complete(extra?: Record<string, unknown>): void {
    this.#channel.complete(extra);
  }

  error(code: string, message: string): void {
    this.#channel.error(code, message);
  }

  getChunkCount(): number {
    return this.#channel.getChunkCount();
  }

  getFrameCount(): number {
    return this.#channel.getFrameCount();
  }
}
