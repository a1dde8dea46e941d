/**
 * One timer per manager, not per connection: each tick pings the connections that have been
 * quiet for `pingInterval` and expires those whose ping went unanswered for `pongTimeout`.
 */
import { unrefTimer } from "./timers.ts";

/** What the heartbeat needs to know about a connection. */
export interface HeartbeatTarget {
  /** Last time anything arrived from the peer (ms). */
  lastActivity(): number;
  /** When the unanswered ping was sent (ms), or 0. */
  pingSentAt: number;
}

export interface HeartbeatOptions<T extends HeartbeatTarget> {
  pingInterval: number;
  pongTimeout: number;
  targets: () => Iterable<T>;
  ping: (target: T) => void;
  expire: (target: T) => void;
}

/** A started-on-demand heartbeat. `stop()` leaves no timer behind. */
export interface Heartbeat {
  start(): void;
  stop(): void;
}

export function createHeartbeat<T extends HeartbeatTarget>(
  options: HeartbeatOptions<T>,
): Heartbeat {
  const { pingInterval, pongTimeout, targets, ping, expire } = options;
  // A quarter of the shorter period keeps detection within ~25% of the configured times.
  const tick = Math.max(10, Math.floor(Math.min(pingInterval, pongTimeout) / 4));
  let timer: ReturnType<typeof setInterval> | undefined;

  const sweep = () => {
    const now = Date.now();
    for (const target of targets()) {
      if (target.pingSentAt !== 0) {
        if (now - target.pingSentAt >= pongTimeout) expire(target);
      } else if (now - target.lastActivity() >= pingInterval) {
        target.pingSentAt = now;
        ping(target);
      }
    }
  };

  return {
    start() {
      if (pingInterval === 0 || timer !== undefined) return;
      timer = setInterval(sweep, tick);
      unrefTimer(timer);
    },
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
    },
  };
}
