/**
 * Drain on deploy (issue 10): how a manager lets its connections go when an instance is replaced.
 * Idle connections hear `{type:"shutdown", reconnect:true}` and close with 1012 (service restart)
 * at once; connections whose handler reports running work keep it until it ends, at most
 * `graceMs`, then get the same frame and close. At `graceMs` the handlers cut what still runs
 * (their streams end with a terminal frame first). Work a handler calls `detachable` (resumable
 * streams) does not hold its socket: the client is sent away at once to resume elsewhere, and the
 * drain still waits for the work so the producer can finish writing into the shared log.
 */
import { CloseCode, toError } from "./errors.ts";
import { unrefTimer } from "./timers.ts";
import { OPEN, type WebSocketConnection, type WebSocketHandler } from "./types.ts";

/** Options of `manager.drain()` (and `server.stop({ graceMs })`). */
export interface DrainOptions {
  /**
   * Milliseconds that running work (streams) gets to finish before it is cut and its connection
   * closed; idle connections close at once whatever this is. @default 30000
   */
  graceMs?: number;
}

/** What a handler's `onDrain` reports about one connection that still has work running. */
export interface ConnectionWork {
  /** Settles once the work has ended and its last frames (the terminal ones) are sent. */
  done: Promise<unknown>;
  /**
   * The work survives its socket (a resumable stream keeps writing into its log): close the
   * connection now so its client reconnects and resumes elsewhere; the drain still waits for
   * `done` before it resolves. @default false
   */
  detachable?: boolean;
}

/** The frame a draining server sends before it closes a connection with 1012. */
export const SHUTDOWN_FRAME = JSON.stringify({ type: "shutdown", reconnect: true });

/** The close reason sent with 1012. */
export const RESTART_REASON = "Server restarting";

const DEFAULT_GRACE_MS = 30_000;

/** One connection as the drain sees it (the manager's registry entry). */
export interface DrainTarget {
  readonly connection: WebSocketConnection;
  readonly handler: WebSocketHandler | undefined;
  close(code: number, reason: string): Promise<void>;
  report(error: Error, callback?: string): void;
}

/** Settings the drain takes from the manager's config. */
export interface DrainSettings {
  /** Send the JSON shutdown frame (off for paths speaking their own protocol). */
  systemFrames: boolean;
  /** How long after the deadline a cut handler may take to send its terminal frames. */
  closeTimeout: number;
}

/**
 * Checks `options.graceMs`.
 * @throws {TypeError} naming `graceMs` when it is not a non-negative integer.
 */
export function resolveGraceMs(options: DrainOptions | undefined): number {
  const graceMs = options?.graceMs ?? DEFAULT_GRACE_MS;
  if (!Number.isInteger(graceMs) || graceMs < 0)
    throw new TypeError(`The "graceMs" option must be an integer >= 0 (got ${String(graceMs)})`);
  return graceMs;
}

/**
 * Drains `targets` (see the module comment). Resolves once every connection has closed and every
 * reported piece of work has ended, or been cut and given `closeTimeout` to end.
 */
export async function drainConnections(
  targets: Iterable<DrainTarget>,
  graceMs: number,
  settings: DrainSettings,
): Promise<void> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), graceMs);
  unrefTimer(timer);
  try {
    await Promise.all(Array.from(targets, (target) => drainOne(target, deadline.signal, settings)));
  } finally {
    clearTimeout(timer);
  }
}

async function drainOne(
  target: DrainTarget,
  deadline: AbortSignal,
  settings: DrainSettings,
): Promise<void> {
  const work = askHandler(target, deadline);
  const ended = work && endedInTime(work.done, deadline, settings.closeTimeout);
  if (ended !== undefined && !work?.detachable) await ended;
  const { socket } = target.connection;
  if (settings.systemFrames && socket.readyState === OPEN) {
    try {
      socket.send(SHUTDOWN_FRAME);
    } catch {
      // The socket went away meanwhile; closing it below is all that is left.
    }
  }
  await Promise.all([target.close(CloseCode.SERVICE_RESTART, RESTART_REASON), ended]);
}

/** The handler's report on the connection's work; a throwing `onDrain` counts as idle. */
function askHandler(target: DrainTarget, deadline: AbortSignal): ConnectionWork | undefined {
  const onDrain = target.handler?.onDrain;
  if (onDrain === undefined) return undefined;
  let work: ConnectionWork | undefined;
  try {
    work = onDrain(target.connection, deadline) ?? undefined;
  } catch (error) {
    target.report(toError(error), "onDrain");
  }
  if (work === undefined || typeof work.done?.then !== "function") return undefined;
  const report = (error: unknown) => target.report(toError(error), "onDrain");
  return { ...work, done: Promise.resolve(work.done).catch(report) };
}

/** `done`, or — should the handler never settle it — `closeTimeout` after the deadline. */
function endedInTime(done: Promise<unknown>, deadline: AbortSignal, closeTimeout: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    const start = () => {
      timer = setTimeout(resolve, closeTimeout);
      unrefTimer(timer);
    };
    if (deadline.aborted) start();
    else deadline.addEventListener("abort", start, { once: true });
  });
  return Promise.race([done.then(() => {}), late]).finally(() => clearTimeout(timer));
}

/**
 * `promise`, or `false` once `ms` have passed without it settling (for shutdown waits: a timer
 * that is cleared at once and never holds the process open).
 */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    unrefTimer(timer);
  });
  return Promise.race([promise.then(() => true), late]).finally(() => clearTimeout(timer));
}
