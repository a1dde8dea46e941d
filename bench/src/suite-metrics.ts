/**
 * The figures of the two scenarios that do not run on one server kind: the cluster (three
 * instances on one Redis, agentsocket against Socket.IO) and resumable against plain streaming.
 * Each is a small table of its own: one column per system or mode, one row per metric.
 */
import type { Better } from "./metrics.ts";

/** The cluster's two systems: agentsocket × 3 on Redis, Socket.IO × 3 on redis-adapter. */
export const CLUSTER_SYSTEMS = ["agentsocket", "socketio"] as const;
export type ClusterSystem = (typeof CLUSTER_SYSTEMS)[number];

/** How a stream is logged: plain (no log), memory log, Redis log, Redis log with 5 ms batches. */
export const RESUME_MODES = ["plain", "memory", "redis", "redis-5ms"] as const;
export type ResumeMode = (typeof RESUME_MODES)[number];

/** One row of a suite table. */
export interface SuiteMetric<Id extends string> {
  id: Id;
  label: string;
  unit: string;
  better: Better;
  digits: number;
}

const metric = <Id extends string>(
  id: Id,
  label: string,
  unit: string,
  better: Better,
  digits: number,
): SuiteMetric<Id> => ({ id, label, unit, better, digits });

export type ClusterMetricId =
  | "cpuPerMessage"
  | "cpuPerMessageWithRedis"
  | "deliveriesPerSecond"
  | "p50"
  | "p99"
  | "redisCommandsPerPublish"
  | "redisCpuPerPublish"
  | "lost";

/** The cluster's rows, in report order. */
export const CLUSTER_METRICS: readonly SuiteMetric<ClusterMetricId>[] = [
  metric("cpuPerMessage", "CPU per delivered message, instances", "µs", "lower", 2),
  metric(
    "cpuPerMessageWithRedis",
    "CPU per delivered message, instances + Redis",
    "µs",
    "lower",
    2,
  ),
  metric("deliveriesPerSecond", "deliveries/s in the burst (load process bound)", "/s", "info", 0),
  metric("p50", "p50 publish → receipt, paced", "ms", "lower", 2),
  metric("p99", "p99 publish → receipt, paced", "ms", "lower", 2),
  metric("redisCommandsPerPublish", "Redis commands per publish", "", "lower", 2),
  metric("redisCpuPerPublish", "Redis CPU per publish", "µs", "lower", 1),
  metric("lost", "notices lost", "", "info", 0),
];

export type ResumeMetricId =
  "cpuPerToken" | "catchUp" | "redisCommandsPerFrame" | "redisCpuPerFrame";

/** The resumable-streaming rows, in report order. */
export const RESUME_METRICS: readonly SuiteMetric<ResumeMetricId>[] = [
  metric("cpuPerToken", "CPU per token, server + clients", "µs", "lower", 1),
  metric("catchUp", "resume catch-up of the backlog", "ms", "lower", 1),
  metric("redisCommandsPerFrame", "Redis commands per logged frame", "", "lower", 2),
  metric("redisCpuPerFrame", "Redis CPU per logged frame", "µs", "lower", 1),
];
