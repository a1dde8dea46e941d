/**
 * The instrumented part of {@link WebSocketConnectionManager}: `addInstrumentation()`,
 * `getStats()`, and `authorizeUpgrade()` reporting each refusal — kept out of the manager's file.
 */
import type { UpgradeDecision } from "../adapter-types.ts";
import type { UpgradeRequest } from "../auth/types.ts";
import { SessionMethods } from "../sessions/session-methods.ts";
import { parseRequestUrl } from "../request.ts";
import type { WebSocketConnection } from "../types.ts";
import { boundedCode } from "./counting-socket.ts";
import { InstrumentationHub } from "./hub.ts";
import type { Instrumentation } from "./instrumentation.ts";
import { StatsCollector, type ConnectionStats } from "./stats.ts";

export abstract class InstrumentedMethods extends SessionMethods {
  /** Set by the manager's constructor through {@link instrumentWith}. @internal */
  protected instruments!: InstrumentationHub;
  readonly #stats = new StatsCollector();

  /** The handshake decision itself (the manager's); {@link authorizeUpgrade} reports it. */
  protected abstract decideUpgrade(request: UpgradeRequest): Promise<UpgradeDecision>;
  abstract getAllConnections(): WebSocketConnection[];
  abstract getConnectionsByPath(path: string): WebSocketConnection[];
  abstract handlesPath(pathname: string): boolean;
  abstract paths(): string[];

  /** @throws {TypeError} naming the `instrumentation` option when it is not hooks. */
  protected instrumentWith(initial: Instrumentation | readonly Instrumentation[] | undefined) {
    this.instruments = new InstrumentationHub(initial);
    this.instruments.add(this.#stats);
  }

  /**
   * Decides a handshake before any upgrade: handshake headers, path, shutdown, `Origin`,
   * capacity, then auth. Never throws; a rejection carries the HTTP status to answer with (and
   * is reported to the instrumentation's `handshakeRejected`).
   */
  async authorizeUpgrade(request: UpgradeRequest): Promise<UpgradeDecision> {
    const decision = await this.decideUpgrade(request);
    if (!decision.ok) {
      const requested = parseRequestUrl(request.url).pathname.replace(/(.)\/$/, "$1");
      this.instruments.emit("handshakeRejected", {
        path: this.handlesPath(requested) ? requested : "unknown",
        status: decision.status,
        code: boundedCode(decision.error.code),
      });
    }
    return decision;
  }

  /**
   * Adds an instrumentation (e.g. `createPrometheusInstrumentation()` from `@agentsocket/server`).
   * Sent frames are counted on connections accepted from now on.
   * @returns a function that removes it again.
   * @throws {TypeError} when it is not an object of hook functions.
   */
  addInstrumentation(instrumentation: Instrumentation): () => void {
    return this.instruments.add(instrumentation);
  }

  /**
   * Seed 000's statistics of this instance: `activeConnections`, `messagesPerSecond`,
   * `averageLatency` (heartbeat round trip, ms), `memoryUsage`, and more. Synchronous and cheap.
   * @example
   * const { activeConnections, messagesPerSecond } = manager.getStats();
   */
  getStats(): ConnectionStats {
    const byPath: Record<string, number> = {};
    for (const path of this.paths()) byPath[path] = this.getConnectionsByPath(path).length;
    return this.#stats.snapshot({
      connections: this.getAllConnections(),
      byPath,
      rooms: this.getRooms().length,
    });
  }
}
