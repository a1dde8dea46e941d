/**
 * @agentsocket/redis/testing — a real `redis-server` per test file: spawned on a free port with
 * persistence off, killable and restartable on the same port (for outage tests), killed in
 * `stop()`; or a Redis Cluster of several such servers. Needs `redis-server` (and `redis-cli`
 * for a cluster) on PATH.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, createConnection } from "node:net";

/** A spawned `redis-server`. */
export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** SIGKILLs the server (an outage); resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port (with `args` instead, if given); resolves once it accepts connections. */
  restart(args?: readonly string[]): Promise<void>;
  /** Kills it for good. Idempotent. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (bound on port 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `port` accepts a TCP connection and answers PING, or rejects after `ms`. */
async function waitForPong(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("error", () => resolve(false));
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        socket.destroy();
        resolve(String(data).startsWith("+PONG"));
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Spawns `redis-server` on a free port, with `args` after its own (e.g. `--rename-command`). */
export async function startRedis(args: readonly string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async (extra = args) => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra],
      { stdio: "ignore" },
    );
    await waitForPong(port);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGKILL");
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: (extra) => launch(extra),
    stop: kill,
  };
}

/** A spawned Redis Cluster of masters without replicas. */
export interface RedisClusterProcess {
  /** `redis://127.0.0.1:P` of each master: node-redis's `createCluster({ rootNodes })`. */
  readonly urls: string[];
  /** Kills every node and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

/** Runs `command` to completion; rejects with its output when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += String(chunk)));
    child.stderr?.on("data", (chunk: Buffer) => (output += String(chunk)));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed: ${output}`)),
    );
  });
}

/**
 * Spawns `masters` cluster-enabled `redis-server`s on free ports, each in a temporary directory
 * of its own, and joins them with `redis-cli --cluster create` (every slot covered, no replicas).
 * Needs `redis-server` and `redis-cli` on PATH.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterProcess> {
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const nodes: { port: number; dir: string; child: ChildProcess }[] = [];
  const stop = async () => {
    for (const { child, dir } of nodes.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGKILL");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const dir = await mkdtemp(`${tmpdir()}/agentsocket-redis-cluster-`);
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"];
      args.push("no", "--cluster-enabled", "yes", "--cluster-config-file", `${dir}/nodes.conf`);
      const child = spawn("redis-server", args, { stdio: "ignore", cwd: dir });
      nodes.push({ port, dir, child });
      await waitForPong(port);
    }
    const addresses = nodes.map(({ port }) => `127.0.0.1:${port}`);
    await run(
      "redis-cli",
      ["--cluster", "create", ...addresses, "--cluster-replicas", "0"].concat("--cluster-yes"),
    );
    // `--cluster create` returns once slots are assigned; each node still has to hear of the
    // others before it serves (before then it answers CLUSTERDOWN).
    for (const { port } of nodes) await waitForClusterOk(port);
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: nodes.map(({ port }) => `redis://127.0.0.1:${port}`), stop };
}

/** Resolves once the node on `port` reports `cluster_state:ok`; rejects after 15 s. */
async function waitForClusterOk(port: number): Promise<void> {
  const { execFile } = await import("node:child_process");
  const info = () =>
    new Promise<string>((resolve) => {
      execFile("redis-cli", ["-p", String(port), "cluster", "info"], (error, stdout) =>
        resolve(error ? "" : stdout),
      );
    });
  const deadline = Date.now() + 15_000;
  while (!(await info()).includes("cluster_state:ok")) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster node ${port} never became ok`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
