/**
 * Conformance: the holes a hostile client found (issue 8) that every adapter must keep closed —
 * unsent bytes per connection (requests in flight are request-cases.ts'), reading held back from a peer
 * that does not read its replies, frames handled per turn, log amplification, ambiguous
 * credentials and JWTs that never expire or pick their own algorithm.
 */
import { SignJWT } from "jose";
import { expect, it, vi } from "vitest";
import { createAgentWebSocketHandler } from "../agent/ws-handler.ts";
import { createDemoAgent } from "../demo/demo-agent.ts";
import { within } from "./client.ts";
import { deferred, type Harness } from "./harness.ts";
import { handshakeLines, rawRequest } from "./raw-http.ts";
import { createTestBackend } from "./test-backend.ts";

/** The HMAC secret {@link signToken} signs with. */
export const SECRET = "hardening-secret-at-least-32-bytes-long!";
const key = new TextEncoder().encode(SECRET);

/** A token for `sub`; `exp` is set unless `expires` is false. */
export function signToken(sub: string, alg = "HS256", expires = true): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg }).setSubject(sub).setIssuedAt();
  return (expires ? jwt.setExpirationTime("5m") : jwt).sign(key);
}

/** Every line `console.error` printed while `run` ran, stacks included. */
export async function captureConsoleErrors(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    lines.push(
      args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" "),
    );
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

export function hardeningCases(h: Harness): void {
  it("closes a connection that stops reading with 1008 once maxBufferedBytes are unsent", async () => {
    const overflow = deferred<Error>();
    const frame = JSON.stringify({ type: "fill", data: "x".repeat(4080) });
    let sent = 0;
    const { manager, wsUrl } = await h.serve(
      { maxBufferedBytes: 64 * 1024 },
      {
        "/ws": {
          // 32 MiB, far past what the kernel's socket buffers absorb for a peer that reads nothing.
          onMessage: (c) => {
            for (let i = 0; i < 8192 && manager.send(c.id, frame); i++) sent++;
          },
          onError: (_c, error) => overflow.resolve(error),
        },
      },
    );
    const other = await h.connect(wsUrl());
    const slow = await h.connect(wsUrl());
    await slow.ofType("connected");
    slow.socket.pause();
    slow.send("flood me");
    const error = await within(overflow.promise, "the overflow report", 5000);
    expect(error).toMatchObject({ name: "WebSocketConnectionError", code: "SLOW_CONSUMER" });
    expect(error.message).toMatch(/bytes unsent \(maxBufferedBytes 65536\)/);
    expect(sent).toBeLessThan(8192);
    slow.socket.resume();
    expect((await within(slow.closed, "the 1008 close", 5000)).code).toBe(1008);
    other.send({ type: "ping", timestamp: 3 });
    expect(await other.ofType("pong")).toEqual({ type: "pong", timestamp: 3 });
  });

  it("stops reading a connection that does not read its replies, and answers it all once it does", async () => {
    const reply = "r".repeat(1000);
    let handled = 0;
    const errors: Error[] = [];
    const { wsUrl } = await h.serve(
      {},
      {
        "/ws": {
          onMessage: (c, message) => {
            handled++;
            c.socket.send(JSON.stringify({ type: "reply", n: Number(message.data), reply }));
          },
          onError: (_c, error) => errors.push(error),
        },
      },
    );
    const slow = await h.connect(wsUrl());
    await slow.ofType("connected");
    slow.socket.pause();
    // 20 MB of replies: far past the kernel's socket buffers and maxBufferedBytes (4 MiB).
    const frames = 20_000;
    for (let i = 0; i < frames; i++) slow.send(String(i));
    // Until the server stops taking frames: it holds the connection back (or, without the hold,
    // answers them all and closes it with 1008).
    let seen = -1;
    let still = 0;
    await within(
      (async () => {
        while (still < 20 && handled < frames && errors.length === 0) {
          [still, seen] = handled === seen ? [still + 1, seen] : [0, handled];
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })(),
      "the server to stop taking frames",
      20_000,
    );
    expect(errors).toEqual([]);
    expect(handled).toBeLessThan(frames);
    slow.socket.resume();
    const last = await slow.frame((f) => f.n === frames - 1, "the last reply", 20_000);
    expect(last).toMatchObject({ type: "reply", reply });
    const replies = slow.frames.filter((f) => f.type === "reply").map((f) => f.n);
    expect(replies).toEqual([...Array(frames).keys()]);
    expect(errors).toEqual([]);
    slow.send({ type: "ping", timestamp: 9 });
    expect(await slow.ofType("pong")).toEqual({ type: "pong", timestamp: 9 });
  });

  it("hands a handler at most maxFramesPerTurn frames of one connection per turn, all in order", async () => {
    const frames = 3000;
    const filler = "x".repeat(100); // 3,000 frames of ~110 bytes: several of the server's reads
    const all = deferred<void>();
    const received: string[] = [];
    const perTurn: number[] = [0];
    let ticking = false;
    const { wsUrl } = await h.serve(
      { maxFramesPerTurn: 10 },
      {
        "/ws": {
          onMessage: (_c, message) => {
            if (!ticking) {
              ticking = true;
              setImmediate(() => {
                perTurn.push(0);
                ticking = false;
              });
            }
            perTurn[perTurn.length - 1]!++;
            received.push(String(message.data));
            if (received.length === frames) all.resolve();
          },
        },
      },
    );
    const flooder = await h.connect(wsUrl());
    await flooder.ofType("connected");
    for (let i = 0; i < frames; i++) flooder.send(`${i} ${filler}`);
    await within(all.promise, "every frame handled", 20_000);
    expect(received.map((data) => Number(data.split(" ")[0]))).toEqual([...Array(frames).keys()]);
    // Without the budget, one network read (64 KiB: hundreds of these frames) is handled at once.
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(20);
    // The held-back connection reads again: it is answered like any other.
    flooder.send({ type: "ping", timestamp: 7 });
    expect(await flooder.ofType("pong")).toEqual({ type: "pong", timestamp: 7 });
  });

  it("logs client-caused tool errors as a few short lines and server faults in full", async () => {
    const demo = createAgentWebSocketHandler(createDemoAgent({ tokensPerSecond: 0 }), {
      allowedTools: ["calculator"],
    });
    const test = createAgentWebSocketHandler(createTestBackend(), { allowedTools: ["explode"] });
    const { wsUrl } = await h.serve({}, { "/ws": demo, "/ws/test": test });
    const client = await h.connect(wsUrl());
    const lines = await captureConsoleErrors(async () => {
      for (let i = 0; i < 100; i++) {
        const payload = { toolName: "calculator", args: { expression: "1+" } };
        client.send({ type: "tool_call", requestId: `bad${i}`, payload });
        const refused = await client.ofType("error", `bad${i}`);
        expect(refused).toMatchObject({ code: "VALIDATION_FAILED" });
      }
    });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(10);
    for (const line of lines) {
      expect(line).not.toContain("\n");
      expect(line.length).toBeLessThan(200);
    }
    const fault = await h.connect(wsUrl("/ws/test"));
    const faults = await captureConsoleErrors(async () => {
      fault.send({ type: "tool_call", requestId: "f1", payload: { toolName: "explode" } });
      expect(await fault.ofType("error", "f1")).toMatchObject({ code: "TOOL_FAILED" });
    });
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatch(/tool crashed[\s\S]*\n\s+at /);
  });

  it("refuses a handshake carrying two different credentials (401), by query or by header", async () => {
    const validate = (token: string) =>
      ({ good: { id: "u1" }, other: { id: "u2" } })[token] ?? null;
    const { wsUrl } = await h.serve({ auth: { strategy: "bearer", validate } });
    const status = async (query: string, headers: [string, string][] = []) => {
      const lines = headers.map(([name, value]) => `${name}: ${value}`);
      const response = await rawRequest(wsUrl(), handshakeLines(`/ws?${query}`, lines));
      response.socket.destroy();
      return response.status;
    };
    expect(await status("token=good")).toBe(101);
    expect(await status("token=good&token=good")).toBe(101);
    expect(await status("token=good&token=other")).toBe(401);
    expect(await status("token=other&token=good")).toBe(401);
    expect(await status("token=good", [["Authorization", "Bearer other"]])).toBe(401);
    expect(await status("", [["Authorization", "Bearer good"]])).toBe(101);
    const twice: [string, string][] = [
      ["Authorization", "Bearer good"],
      ["Authorization", "Bearer other"],
    ];
    expect(await status("", twice)).toBe(401);
    expect(await status("", [twice[1]!, twice[0]!])).toBe(401);
  });

  it("jwt: refuses tokens without exp and algorithms other than the configured HMAC one", async () => {
    const { wsUrl } = await h.serve({ auth: { strategy: "bearer", jwt: { secret: SECRET } } });
    const status = async (token: Promise<string>) =>
      (await h.tryConnect(wsUrl("/ws", `token=${await token}`))).ok ? 200 : 401;
    expect(await status(signToken("u1"))).toBe(200);
    expect(await status(signToken("u1", "HS256", false))).toBe(401);
    expect(await status(signToken("u1", "HS384"))).toBe(401);
    expect(await status(signToken("u1", "HS512"))).toBe(401);

    const optOut = await h.serve({
      auth: {
        strategy: "bearer",
        jwt: { secret: SECRET, algorithms: ["HS512"], requireExpiration: false },
      },
    });
    const token = await signToken("u1", "HS512", false);
    expect((await h.tryConnect(optOut.wsUrl("/ws", `token=${token}`))).ok).toBe(true);
    const hs256 = await signToken("u1");
    expect(await h.tryConnect(optOut.wsUrl("/ws", `token=${hs256}`))).toMatchObject({
      ok: false,
      status: 401,
      body: { code: "UNAUTHORIZED" },
    });
  });
}
