/**
 * Sessions of one manager (issue 10). With `sessions` on, every connection that gets a `connected`
 * frame opens a session. When it drops, the session is *parked* for `ttlMs`: a stand-in connection
 * with the old id stays in its rooms (so the instance keeps their subscriptions) and counts as one
 * of its user's connections; whatever is sent to it — room broadcasts, `sendToUser`,
 * `sendToConnection`/`manager.send` to the old id, broadcasts — is kept in a bounded buffer. A
 * `session_resume` on a new connection of the same user takes the session over: its rooms are
 * joined through the normal join path, then the kept frames are delivered in order.
 * Sessions live in this process: a resume on another instance answers `recovered: false`.
 */
import type { Fanout } from "../cluster/fanout.ts";
import { unrefTimer } from "../timers.ts";
import { OPEN, type SocketLike, type WebSocketConnection, type WebSocketData } from "../types.ts";
import { SessionBuffer } from "./buffer.ts";
import type { ResolvedSessionsOptions, SessionsOptions } from "./options.ts";
import { resolveSessionsOptions } from "./options.ts";
import { sessionFrameWrapper } from "./session-frames.ts";
import { TokenSigner } from "./token.ts";

/** A resumable stream of a session, as the agent layer lists it. */
export interface SessionStreamInfo {
  streamId: string;
  [key: string]: unknown;
}

/** The session a provider is asked about. */
export interface SessionInfo {
  sessionId: string;
  /** The id of the connection that dropped. */
  connectionId: string;
  userId?: string;
}

/** Lists the resumable streams of a session (the `streams` of the `session` frame). */
export type SessionStreamsProvider = (
  session: SessionInfo,
) => readonly SessionStreamInfo[] | Promise<readonly SessionStreamInfo[]>;

/** Why a `session_resume` did not recover its session. */
export type SessionResumeFailure = "invalid" | "expired" | "forbidden" | "not_found" | "busy";

/** What a `session_resume` comes to: the `session` frame's fields and the frames kept meanwhile. */
export type SessionResumeOutcome =
  | {
      recovered: true;
      sessionId: string;
      resumeToken: string;
      rooms: string[];
      streams: readonly SessionStreamInfo[];
      dropped: number;
      frames: WebSocketData[];
    }
  | { recovered: false; reason: SessionResumeFailure };

interface Away {
  readonly ghost: WebSocketConnection;
  readonly buffer: SessionBuffer;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface Session {
  readonly id: string;
  readonly userId: string | undefined;
  live: WebSocketConnection | undefined;
  away: Away | undefined;
  resuming: boolean;
}

type SessionFanout = Pick<Fanout, "opened" | "closed" | "join" | "registry">;

const setSessionId = (connection: WebSocketConnection, id: string) =>
  ((connection as { sessionId?: string }).sessionId = id);

export class SessionRegistry {
  readonly options: ResolvedSessionsOptions | undefined;
  readonly #signer: TokenSigner | undefined;
  readonly #sessions = new Map<string, Session>();
  /** Parked sessions by the id of the connection that dropped. */
  readonly #parked = new Map<string, Session>();
  readonly #parkedByUser = new Map<string, Set<Session>>();
  #streams: SessionStreamsProvider = () => [];
  /** A path's handler with `session_resume` answered in front of it (as is, with sessions off). */
  readonly wrap = sessionFrameWrapper(this);

  /** @throws {TypeError} naming a bad `sessions.*` option. */
  constructor(
    options: boolean | SessionsOptions | undefined,
    private readonly fanout: () => SessionFanout,
    /** Drops a live connection at once (a resume taking over a session whose socket lingers). */
    private readonly terminate: (connectionId: string) => void,
  ) {
    this.options = resolveSessionsOptions(options);
    this.#signer = this.options && new TokenSigner(this.options.secret);
  }

  setStreamsProvider(provider: SessionStreamsProvider): void {
    if (typeof provider !== "function")
      throw new TypeError("setSessionStreamsProvider: provider must be a function");
    this.#streams = provider;
  }

  /** Opens the session of a new connection: the `connected` frame's extra fields. */
  open(connection: WebSocketConnection): { sessionId: string; resumeToken: string } | undefined {
    if (this.options === undefined) return undefined;
    const id = crypto.randomUUID();
    setSessionId(connection, id);
    const userId = connection.user?.id;
    this.#sessions.set(id, { id, userId, live: connection, away: undefined, resuming: false });
    return { sessionId: id, resumeToken: this.#token(id, userId) };
  }

  /** In place of `fanout.closed(connection)`: parks the connection's session, unless shutting down. */
  closed(connection: WebSocketConnection, shuttingDown: boolean): void {
    const fanout = this.fanout();
    const session = this.#sessionOf(connection);
    if (session === undefined || this.options === undefined) return fanout.closed(connection);
    const rooms = fanout.registry.roomsOf(connection.id);
    fanout.closed(connection);
    session.live = undefined;
    if (shuttingDown) return void this.#sessions.delete(session.id);
    const buffer = new SessionBuffer(this.options.maxFrames, this.options.maxBytes);
    const ghost: WebSocketConnection = { ...connection, socket: buffer.socket };
    const timer = setTimeout(() => this.#forget(session), this.options.ttlMs);
    unrefTimer(timer);
    session.away = { ghost, buffer, timer };
    this.#parked.set(ghost.id, session);
    if (session.userId !== undefined) addTo(this.#parkedByUser, session.userId, session);
    fanout.opened(ghost); // keeps the user's topic subscribed while away
    for (const room of rooms) fanout.join(ghost.id, room);
  }

  /** The socket that keeps frames sent to a parked connection id. */
  parkedSocket(connectionId: string): SocketLike | undefined {
    return this.#parked.get(connectionId)?.away?.ghost.socket;
  }

  /** A parked connection by its old id (for the fan-out's local lookups). */
  connection(connectionId: string): WebSocketConnection | undefined {
    return this.#parked.get(connectionId)?.away?.ghost;
  }

  *connections(): IterableIterator<WebSocketConnection> {
    for (const session of this.#parked.values()) if (session.away) yield session.away.ghost;
  }

  *userConnections(userId: string): IterableIterator<WebSocketConnection> {
    for (const session of this.#parkedByUser.get(userId) ?? [])
      if (session.away) yield session.away.ghost;
  }

  /**
   * Hands the session named by `token` to `connection`, and calls `deliver` with the outcome.
   * Everything after the streams provider answers — rooms joined, the session taken over,
   * `deliver` sending the `session` frame and the kept frames — runs in one synchronous step, so
   * no live frame can slip in ahead of the kept ones.
   * @throws what the streams provider threw, after delivering the outcome without streams.
   */
  async resume(
    connection: WebSocketConnection,
    token: unknown,
    deliver: (outcome: SessionResumeOutcome) => void,
  ): Promise<void> {
    const failure = await this.#takeOver(connection, token, deliver);
    if (failure !== undefined) deliver(failure);
  }

  /** Takes the session over and delivers, or returns why not. */
  async #takeOver(
    connection: WebSocketConnection,
    token: unknown,
    deliver: (outcome: SessionResumeOutcome) => void,
  ): Promise<SessionResumeOutcome | undefined> {
    const check = this.#signer?.verify(token);
    if (check === undefined || !check.ok) return failed(check?.reason ?? "not_found");
    const { sid, uid } = check.claims;
    if (uid !== connection.user?.id) return failed("forbidden");
    const session = this.#sessions.get(sid);
    if (session === undefined) return failed("not_found");
    if (session.resuming || session.live === connection) return failed("busy");
    // The old socket may not have noticed its drop yet (a half-open TCP connection): end it here.
    if (session.live !== undefined) this.terminate(session.live.id);
    if (session.away === undefined) return failed("not_found");
    const oldId = session.away.ghost.id;
    session.resuming = true;
    let streams: readonly SessionStreamInfo[] = [];
    let providerError: unknown;
    try {
      const info: SessionInfo = { sessionId: sid, connectionId: oldId };
      if (session.userId !== undefined) info.userId = session.userId;
      const listed = await this.#streams(info);
      if (Array.isArray(listed)) streams = listed;
    } catch (error) {
      providerError = error; // the session still resumes; its streams go unlisted
    } finally {
      session.resuming = false;
    }
    const away = session.away;
    if (away === undefined) return failed("not_found"); // expired while the provider ran
    if (connection.socket.readyState !== OPEN) return failed("not_found"); // the newcomer left
    const fanout = this.fanout();
    const rooms = fanout.registry
      .roomsOf(oldId)
      .filter((room) => fanout.join(connection.id, room).outcome !== "limit");
    this.#unpark(session);
    const own = this.#sessionOf(connection);
    if (own !== undefined && own !== session) this.#sessions.delete(own.id);
    setSessionId(connection, sid);
    session.live = connection;
    const { frames, dropped } = away.buffer;
    const resumeToken = this.#token(sid, session.userId);
    deliver({ recovered: true, sessionId: sid, resumeToken, rooms, streams, dropped, frames });
    if (providerError !== undefined) throw providerError;
    return undefined;
  }

  #sessionOf(connection: WebSocketConnection): Session | undefined {
    const session = connection.sessionId ? this.#sessions.get(connection.sessionId) : undefined;
    return session?.live === connection ? session : undefined;
  }

  #token(sid: string, uid: string | undefined): string {
    const exp = Date.now() + this.options!.tokenTtlMs;
    return this.#signer!.sign(uid === undefined ? { sid, exp } : { sid, uid, exp });
  }

  #forget(session: Session): void {
    this.#unpark(session);
    if (session.live === undefined) this.#sessions.delete(session.id);
  }

  /** Ends the away state: the stand-in leaves its rooms and its user's count. */
  #unpark(session: Session): void {
    const away = session.away;
    if (away === undefined) return;
    session.away = undefined;
    clearTimeout(away.timer);
    this.#parked.delete(away.ghost.id);
    const byUser =
      session.userId === undefined ? undefined : this.#parkedByUser.get(session.userId);
    if (byUser?.delete(session) && byUser.size === 0) this.#parkedByUser.delete(session.userId!);
    this.fanout().closed(away.ghost);
  }
}

const failed = (reason: SessionResumeFailure): SessionResumeOutcome => ({
  recovered: false,
  reason,
});

function addTo<T>(index: Map<string, Set<T>>, key: string, value: T): void {
  let set = index.get(key);
  if (set === undefined) index.set(key, (set = new Set()));
  set.add(value);
}
