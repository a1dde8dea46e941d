/**
 * The scaling plan of docs/scaling.md as arithmetic: how many instances and Redis shards serve a
 * number of concurrent connections and streamed tokens per second, from the per-unit costs the
 * bench measures (memory per connection, CPU per token and per delivered message, Redis CPU and
 * commands per logged frame) and stated budgets (the headroom). `pnpm --filter @agentsocket/bench
 * run scaling` feeds it this machine's figures; the tests pin the arithmetic.
 */

/** Per-unit costs, measured. */
export interface MeasuredCosts {
  /** RSS per idle authenticated connection, bytes. */
  bytesPerConnection: number;
  /** RSS of an instance with no connections, bytes. */
  instanceBaseBytes: number;
  /** Instance CPU per streamed token (paced, one frame per token, logged in Redis), µs. */
  cpuPerToken: number;
  /** Instance CPU per delivered small frame (a broadcast; a heartbeat ping costs about one), µs. */
  cpuPerDelivery: number;
  /** Redis CPU per logged frame (append script, live publish), µs. */
  redisCpuPerFrame: number;
  /** Redis commands per logged frame (the script and what it runs). */
  redisCommandsPerFrame: number;
  /** Redis memory per logged frame (`MEMORY USAGE` of a finished stream's log ÷ frames), bytes. */
  redisBytesPerFrame: number;
}

/** The load to plan for and the budgets that leave headroom. */
export interface Load {
  connections: number;
  tokensPerSecond: number;
  /** Frames per token (1 when paced, fewer when the channel coalesces). @default 1 */
  framesPerToken?: number;
  /** Seconds between heartbeat pings per connection (0: none). @default 30 */
  pingIntervalSeconds?: number;
  /** Share of one core an instance (one Node process) may use. @default 0.5 */
  instanceCpuBudget?: number;
  /** RSS an instance may reach, bytes. @default 2 GiB */
  instanceMemoryBudget?: number;
  /** Share of one core a Redis shard (its main thread) may use. @default 0.5 */
  redisCpuBudget?: number;
  /** Memory a Redis shard may hold, bytes. @default 8 GiB */
  redisMemoryBudget?: number;
  /** Seconds a stream's log stays in Redis: its length plus `completedTtlMs`. @default 330 */
  logSecondsRetained?: number;
}

/** The plan and how it was reached. */
export interface Plan {
  tokenCores: number;
  heartbeatCores: number;
  instancesForCpu: number;
  connectionsPerInstance: number;
  instancesForMemory: number;
  instances: number;
  framesPerSecond: number;
  redisCommandsPerSecond: number;
  redisCores: number;
  shardsForCpu: number;
  redisBytesRetained: number;
  shardsForMemory: number;
  shards: number;
}

const GIB = 2 ** 30;

/** Instances and Redis shards for `load` at the measured `costs`. */
export function planCapacity(costs: MeasuredCosts, load: Load): Plan {
  const {
    connections,
    tokensPerSecond,
    framesPerToken = 1,
    pingIntervalSeconds = 30,
    instanceCpuBudget = 0.5,
    instanceMemoryBudget = 2 * GIB,
    redisCpuBudget = 0.5,
    redisMemoryBudget = 8 * GIB,
    logSecondsRetained = 330,
  } = load;
  const tokenCores = (tokensPerSecond * costs.cpuPerToken) / 1e6;
  const pings = pingIntervalSeconds > 0 ? connections / pingIntervalSeconds : 0;
  const heartbeatCores = (pings * costs.cpuPerDelivery) / 1e6;
  const instancesForCpu = Math.ceil((tokenCores + heartbeatCores) / instanceCpuBudget);
  const connectionsPerInstance = Math.floor(
    (instanceMemoryBudget - costs.instanceBaseBytes) / costs.bytesPerConnection,
  );
  const instancesForMemory = Math.ceil(connections / connectionsPerInstance);
  const framesPerSecond = tokensPerSecond * framesPerToken;
  const redisCores = (framesPerSecond * costs.redisCpuPerFrame) / 1e6;
  const shardsForCpu = Math.ceil(redisCores / redisCpuBudget);
  const redisBytesRetained = framesPerSecond * logSecondsRetained * costs.redisBytesPerFrame;
  const shardsForMemory = Math.ceil(redisBytesRetained / redisMemoryBudget);
  return {
    tokenCores,
    heartbeatCores,
    instancesForCpu,
    connectionsPerInstance,
    instancesForMemory,
    instances: Math.max(instancesForCpu, instancesForMemory),
    framesPerSecond,
    redisCommandsPerSecond: framesPerSecond * costs.redisCommandsPerFrame,
    redisCores,
    shardsForCpu,
    redisBytesRetained,
    shardsForMemory,
    shards: Math.max(shardsForCpu, shardsForMemory, 1),
  };
}

/** What one measured phase of the check saw (one instance or several). */
export interface Phase {
  instances: number;
  tokensPerSecond: number;
  /** Frames that carried those tokens, per second (the channel coalesces when turns run long). */
  framesPerSecond: number;
  /** Instance CPU per token, all instances, µs. */
  cpuPerToken: number;
  /** Instance CPU, all instances, in cores. */
  instanceCores: number;
  redisCommandsPerSecond: number;
  /** Redis CPU, in cores. */
  redisCores: number;
}

/**
 * The model's prediction for `instances` instances each carrying what the one instance of
 * `single` carried: throughput, instance CPU and Redis load scale with the instance count, CPU
 * per token stays the same (a stream lives on one instance; only Redis is shared).
 */
export function predictPhase(single: Phase, instances: number): Phase {
  const k = instances / single.instances;
  return {
    instances,
    tokensPerSecond: single.tokensPerSecond * k,
    framesPerSecond: single.framesPerSecond * k,
    cpuPerToken: single.cpuPerToken,
    instanceCores: single.instanceCores * k,
    redisCommandsPerSecond: single.redisCommandsPerSecond * k,
    redisCores: single.redisCores * k,
  };
}
