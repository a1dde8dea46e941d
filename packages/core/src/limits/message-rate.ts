/**
 * The per-connection message rate (`rateLimit`): a token bucket checked for every incoming frame —
 * two additions and a comparison on the hot path — and what happens to a frame it refuses.
 */
import { CloseCode, WebSocketConnectionError } from "../errors.ts";
import { errorFrame } from "../protocol.ts";
import { OPEN, type WebSocketConnection, type WebSocketData } from "../types.ts";
import { resolveRateLimit, type RateLimitOptions, type ResolvedRateLimit } from "./options.ts";

/** One connection's bucket, and the pile of refusals that decides when it is flooding. */
export class MessageRate {
  #tokens: number;
  #at: number;
  #refusals = 0;
  #refusedAt = 0;

  constructor(
    private readonly limit: ResolvedRateLimit,
    now = Date.now(),
  ) {
    this.#tokens = limit.burst;
    this.#at = now;
  }

  /** Takes a token for a frame that arrived at `now`: whether the frame may be processed. */
  take(now: number): boolean {
    const { burst, messagesPerSecond } = this.limit;
    if (this.#tokens < burst)
      this.#tokens = Math.min(burst, this.#tokens + ((now - this.#at) * messagesPerSecond) / 1000);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Counts a refused frame: whether the connection is flooding and must be closed. */
  refused(now: number): boolean {
    const drained = ((now - this.#refusedAt) * this.limit.messagesPerSecond) / 1000;
    this.#refusals = Math.max(0, this.#refusals - drained) + 1;
    this.#refusedAt = now;
    return this.#refusals > this.limit.maxRefusals;
  }
}

/** Each config's `rateLimit` resolved once (the manager has checked it), not per connection. */
const RESOLVED = new WeakMap<RateLimitOptions, ResolvedRateLimit>();

/** A bucket for a connection, or `undefined` when there is no `rateLimit`. */
export function createMessageRate(options: RateLimitOptions | undefined): MessageRate | undefined {
  if (options === undefined) return undefined;
  let limit = RESOLVED.get(options);
  if (limit === undefined) RESOLVED.set(options, (limit = resolveRateLimit(options)!));
  return new MessageRate(limit);
}

/** What {@link refuseFrame} needs of a managed connection. */
export interface RateLimitedConnection {
  readonly connection: WebSocketConnection;
  report(error: Error): void;
  close(code: number, reason: string): Promise<void>;
}

const REQUEST_ID = /"requestId"\s*:\s*"([^"\\]{1,128})"/;
/** Frames up to this length are parsed for their top-level `requestId`; longer ones are scanned. */
const PARSE_LIMIT = 8192;

/**
 * The frame's `requestId`, cheaply: small frames are parsed (the top-level one, not a `cancel`
 * payload's), large ones scanned, so refusing a frame stays cheaper than serving it.
 */
function requestIdOf(text: string): string | undefined {
  if (text.length > PARSE_LIMIT) return REQUEST_ID.exec(text)?.[1];
  try {
    const id = (JSON.parse(text) as { requestId?: unknown } | null)?.requestId;
    return typeof id === "string" && id.length > 0 && id.length <= 128 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answers a frame the bucket refused: an `error` frame `RATE_LIMITED` with the frame's
 * `requestId` (when `answer` — the path speaks wire protocol v1), or, once the connection is
 * flooding, a report to `onError` and a close with 1008. The frame itself is never processed.
 */
export function refuseFrame(
  managed: RateLimitedConnection,
  rate: MessageRate,
  data: WebSocketData,
  now: number,
  answer: boolean,
): void {
  const { connection } = managed;
  if (rate.refused(now)) {
    const message = "Rate limit exceeded: the connection kept sending too fast";
    managed.report(
      new WebSocketConnectionError(message, { code: "RATE_LIMITED", connectionId: connection.id }),
    );
    void managed.close(CloseCode.POLICY_VIOLATION, "Rate limit exceeded");
    return;
  }
  if (!answer || connection.socket.readyState !== OPEN) return;
  const requestId = typeof data === "string" ? requestIdOf(data) : undefined;
  const frame = errorFrame("RATE_LIMITED", "Too many messages: slow down", requestId);
  connection.socket.send(JSON.stringify(frame));
}
