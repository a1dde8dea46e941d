/**
 * For the client's tests: a real agent server (`createServer` with the demo agent, port 0) on a
 * chosen framework, and a TCP proxy between client and server whose `cut()` drops every
 * connection the way a network does — both TCP sockets destroyed, no close frame.
 *
 * The client's tests against a real server live here, in the server package, which depends on
 * `@agentsocket/client` (the chat page serves its build): a devDependency of the client's on the
 * server would make a workspace cycle.
 */
import net from "node:net";
import { createDemoAgent } from "@agentsocket/core/demo";
import {
  createServer,
  type AgentServer,
  type Framework,
  type RouteDefinition,
  type ServerConfig,
} from "../index.ts";

export const FRAMEWORKS: Framework[] = ["hono", "express", "fastify"];

/** Starts the demo agent on `framework` with the calculator tool allowed and rooms open to all. */
export async function startAgentServer(
  framework: Framework,
  options: {
    tokensPerSecond?: number;
    port?: number;
    config?: ServerConfig;
    routes?: RouteDefinition[];
  } = {},
): Promise<AgentServer> {
  const server = await createServer(
    createDemoAgent({ tokensPerSecond: options.tokensPerSecond ?? 0 }),
    {
      framework,
      config: {
        port: options.port ?? 0,
        host: "127.0.0.1",
        agent: { allowedTools: ["calculator"] },
        websocket: {
          rooms: { authorizeJoin: (_connection, room) => !room.startsWith("private-") },
        },
        ...options.config,
      },
    },
  );
  for (const route of options.routes ?? []) server.registerRoute(route);
  await server.start();
  return server;
}

/** A TCP proxy to `127.0.0.1:<target>`. */
export interface TcpProxy {
  /** The `ws://` URL of the server's `/ws` through the proxy. */
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Points new connections at another port (a restarted server). */
  retarget(port: number): void;
  /** Drops every open connection: both sockets destroyed, no close frame. @returns how many. */
  cut(): number;
  /** While held, every new connection is dropped at once (the network is down). */
  hold(held: boolean): void;
  /** Resolves when the proxy has accepted `count` connections in all. */
  waitForConnections(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: number): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let accepted = 0;
  let held = false;
  const server = net.createServer((downstream) => {
    accepted++;
    for (const waiter of waiters.filter((waiter) => accepted >= waiter.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (held) return void downstream.on("error", () => {}).resetAndDestroy();
    const upstream = net.connect(target, "127.0.0.1");
    const pair: [net.Socket, net.Socket] = [downstream, upstream];
    pairs.add(pair);
    downstream.pipe(upstream).pipe(downstream);
    const drop = () => {
      pairs.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const proxy: TcpProxy = {
    url: `ws://127.0.0.1:${port}/ws`,
    get accepted() {
      return accepted;
    },
    hold(value) {
      held = value;
    },
    retarget(port) {
      target = port;
    },
    cut() {
      const count = pairs.size;
      for (const [downstream, upstream] of [...pairs]) {
        downstream.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
      return count;
    },
    waitForConnections(count) {
      if (accepted >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

/** Resolves when `client.state` is `state` (at once if it already is). */
export function waitForState(
  client: { state: string; on(event: "state", listener: (state: never) => void): () => void },
  state: string,
): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.on("state", ((next: string) => {
      if (next !== state) return;
      off();
      resolve();
    }) as (state: never) => void);
  });
}
