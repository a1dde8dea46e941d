/**
 * The heartbeat on fake timers: when it pings, when it expires a silent peer, that `pingInterval`
 * 0 starts no timer at all, that its one timer never holds the process open, and that the manager
 * stops it when the last connection goes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocketConnectionManager } from "./connection-manager.ts";
import { createHeartbeat, type HeartbeatTarget } from "./heartbeat.ts";
import { FakeSocket } from "./testing/fake-socket.ts";

interface Peer extends HeartbeatTarget {
  name: string;
  active: number;
}

const peer = (name: string): Peer => ({
  name,
  active: Date.now(),
  lastActivity() {
    return this.active;
  },
  pingSentAt: 0,
});

/** A heartbeat over `peers` that records each ping and expiry as `"ping a@100"`. */
function watch(peers: Peer[], pingInterval: number, pongTimeout: number) {
  const log: string[] = [];
  const heartbeat = createHeartbeat<Peer>({
    pingInterval,
    pongTimeout,
    targets: () => peers,
    ping: (p) => log.push(`ping ${p.name}@${Date.now()}`),
    expire: (p) => {
      log.push(`expire ${p.name}@${Date.now()}`);
      peers.splice(peers.indexOf(p), 1);
    },
  });
  return { log, heartbeat };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("createHeartbeat", () => {
  it("pings a peer once it has been quiet for pingInterval, and not again while the ping is out", () => {
    const { log, heartbeat } = watch([peer("a")], 100, 1000);
    heartbeat.start();
    vi.advanceTimersByTime(99);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(["ping a@100"]);
    vi.advanceTimersByTime(900);
    expect(log).toEqual(["ping a@100"]);
    heartbeat.stop();
  });

  it("expires a peer whose ping went unanswered for pongTimeout, not a tick before", () => {
    const { log, heartbeat } = watch([peer("a")], 100, 1000);
    heartbeat.start();
    vi.advanceTimersByTime(1099);
    expect(log).toEqual(["ping a@100"]);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(["ping a@100", "expire a@1100"]);
    heartbeat.stop();
  });

  it("counts quiet time from the peer's last activity, and pings again after an answer", () => {
    const a = peer("a");
    const { log, heartbeat } = watch([a], 100, 1000);
    heartbeat.start();
    vi.advanceTimersByTime(50);
    a.active = Date.now(); // a frame arrived at 50
    vi.advanceTimersByTime(99);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(["ping a@150"]);
    // The pong at 175 clears the ping: the next one follows 100 ms of silence.
    vi.advanceTimersByTime(25);
    [a.pingSentAt, a.active] = [0, Date.now()];
    vi.advanceTimersByTime(100);
    expect(log).toEqual(["ping a@150", "ping a@275"]);
    heartbeat.stop();
  });

  it("ticks at a quarter of the shorter period, but never faster than every 10 ms", () => {
    // min(30, 40) / 4 = 7 ms, raised to 10: the ping due at 30 goes out on the tick at 30.
    const { log, heartbeat } = watch([peer("a")], 30, 40);
    heartbeat.start();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(30);
    expect(log).toEqual(["ping a@30"]);
    vi.advanceTimersByTime(39);
    expect(log).toEqual(["ping a@30"]);
    vi.advanceTimersByTime(1); // 70: the 40 ms pong timeout has run out, on a 10 ms tick
    expect(log).toEqual(["ping a@30", "expire a@70"]);
    heartbeat.stop();
  });

  it("ticks at a quarter of the shorter period: a 4000 ms ping is at most 1000 ms late", () => {
    const { log, heartbeat } = watch([peer("a")], 4000, 10_000);
    heartbeat.start();
    vi.advanceTimersByTime(4999);
    expect(log).toEqual(["ping a@4000"]);
    heartbeat.stop();
  });

  it("pingInterval 0 starts no timer at all: a peer that never answers is never pinged", () => {
    const { log, heartbeat } = watch([peer("a")], 0, 1);
    heartbeat.start();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(log).toEqual([]);
  });

  it("runs one timer however often it is started, none after stop(), and restarts", () => {
    const { log, heartbeat } = watch([peer("a")], 100, 1000);
    heartbeat.start();
    heartbeat.start();
    expect(vi.getTimerCount()).toBe(1);
    heartbeat.stop();
    heartbeat.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(500);
    expect(log).toEqual([]);
    heartbeat.start();
    expect(vi.getTimerCount()).toBe(1);
    // Silent since 0, the peer is pinged on the first tick of the new timer.
    vi.advanceTimersByTime(25);
    expect(log).toEqual(["ping a@525"]);
    heartbeat.stop();
  });

  it("unrefs its timer, so an idle server does not keep the process alive", () => {
    const setIntervalSpy = vi.spyOn(globalThis, "setInterval");
    const { heartbeat } = watch([peer("a")], 100, 1000);
    heartbeat.start();
    const timer = setIntervalSpy.mock.results[0]?.value as { hasRef(): boolean };
    expect(timer.hasRef()).toBe(false);
    heartbeat.stop();
  });
});

describe("the manager's heartbeat", () => {
  const open = (manager: WebSocketConnectionManager, socket = new FakeSocket()) => ({
    socket,
    events: manager.accept(socket, { ok: true, path: "/ws" }),
  });

  it("starts with the first connection and stops with the last", () => {
    const manager = new WebSocketConnectionManager({ pingInterval: 100, pongTimeout: 1000 });
    expect(vi.getTimerCount()).toBe(0);
    const a = open(manager);
    const b = open(manager);
    expect(vi.getTimerCount()).toBe(1);
    a.events.close(1000, "");
    expect(vi.getTimerCount()).toBe(1);
    b.events.close(1000, "");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("pings quiet connections and terminates one that never answers", () => {
    const errors: string[] = [];
    const manager = new WebSocketConnectionManager({ pingInterval: 100, pongTimeout: 200 });
    manager.registerHandler("/ws", { onError: (_c, e) => void errors.push(e.message) });
    const { socket } = open(manager);
    vi.advanceTimersByTime(100);
    expect(socket.pings).toBe(1);
    vi.advanceTimersByTime(200);
    expect(socket.terminations).toBe(1);
    expect(errors).toEqual(["No pong within 200 ms"]);
    expect(manager.getConnectionCount()).toBe(0);
  });

  it("pingInterval 0: a peer that never answers survives many pong timeouts", () => {
    const manager = new WebSocketConnectionManager({ pingInterval: 0, pongTimeout: 1 });
    const { socket } = open(manager);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(socket.pings).toBe(0);
    expect(socket.terminations).toBe(0);
    expect(manager.getConnectionCount()).toBe(1);
  });
});
