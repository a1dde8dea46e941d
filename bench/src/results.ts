/**
 * The raw results of a bench (written as docs/benchmarks/results.json) and the medians every
 * figure of the report is made of: per Node runtime, the servers' samples, the cluster's and the
 * resumable-streaming ones.
 */
import os from "node:os";
import type { MetricId, Measurements } from "./metrics.ts";
import type { RuntimeId } from "./runtimes.ts";
import type { BenchScenarioId } from "./scenarios/scenario.ts";
import type { ServerKind } from "./server-process.ts";
import type { Sizes } from "./sizes.ts";
import { median } from "./statistics.ts";
import type {
  ClusterMetricId,
  ClusterSystem,
  ResumeMetricId,
  ResumeMode,
} from "./suite-metrics.ts";

/** The machine a bench ran on (`node` is the Node that ran the bench itself). */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

/** A scenario that failed in one run (its figures are then missing). */
export interface Failure {
  run: number;
  /** The runtime it ran on (absent in results from before runtimes were recorded: the host). */
  runtime?: RuntimeId;
  /** The server kind, or the cluster system / resume for those scenarios. */
  server: ServerKind | ClusterSystem | "resume";
  scenario: BenchScenarioId | "start";
  error: string;
}

/** Every run's value, per column (server, system, mode) and metric. */
export type SampleTable<C extends string, M extends string> = Partial<
  Record<C, Partial<Record<M, number[]>>>
>;
/** Medians per column and metric. */
export type MedianTable<C extends string, M extends string> = Partial<
  Record<C, Partial<Record<M, number>>>
>;

/** What one runtime measured. */
export interface RuntimeResults {
  /** The servers' Node version, e.g. `v24.22.3`. */
  node: string;
  samples: SampleTable<ServerKind, MetricId>;
  cluster: SampleTable<ClusterSystem, ClusterMetricId>;
  resume: SampleTable<ResumeMode, ResumeMetricId>;
}

/** Everything one bench measured. */
export interface BenchResults {
  mode: Sizes["mode"];
  /** ISO date and time the bench started. */
  date: string;
  machine: Machine;
  sizes: Sizes;
  servers: ServerKind[];
  scenarios: BenchScenarioId[];
  /** The runtimes the servers ran on, in report order. */
  runtimes: RuntimeId[];
  byRuntime: Partial<Record<RuntimeId, RuntimeResults>>;
  failures: Failure[];
  durationSeconds: number;
  /** Cores other processes kept busy on average during the bench (Linux), a noise indicator. */
  otherProcessesCores?: number;
}

/** Describes this machine. */
export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** An empty record for a runtime of version `node`. */
export const emptyRuntime = (node: string): RuntimeResults => ({
  node,
  samples: {},
  cluster: {},
  resume: {},
});

/** Adds one run's values of `column` to `table`. */
export function addSamples<C extends string, M extends string>(
  table: SampleTable<C, M>,
  column: C,
  values: Partial<Record<M, number>>,
): void {
  const samples: Partial<Record<M, number[]>> = (table[column] ??= {});
  for (const [id, value] of Object.entries(values) as [M, number][]) {
    if (Number.isFinite(value)) (samples[id] ??= []).push(value);
  }
}

/** The median of every metric of every column that has samples. */
export function medianTable<C extends string, M extends string>(
  table: SampleTable<C, M>,
): MedianTable<C, M> {
  const out: MedianTable<C, M> = {};
  for (const [column, metrics] of Object.entries(table) as [C, Partial<Record<M, number[]>>][]) {
    const values: Partial<Record<M, number>> = {};
    for (const [id, samples] of Object.entries(metrics) as [M, number[]][]) {
      values[id] = median(samples);
    }
    out[column] = values;
  }
  return out;
}

/** The median of every metric of every server that has samples. */
export function medians(results: {
  samples: SampleTable<ServerKind, MetricId>;
}): Partial<Record<ServerKind, Measurements>> {
  return medianTable(results.samples);
}

/** One runtime's medians, as the report reads them. */
export interface RuntimeSummary {
  id: RuntimeId;
  node: string;
  servers: Partial<Record<ServerKind, Measurements>>;
  cluster: MedianTable<ClusterSystem, ClusterMetricId>;
  resume: MedianTable<ResumeMode, ResumeMetricId>;
}

/** The medians of every runtime that measured something, in report order. */
export function summarize(results: BenchResults): RuntimeSummary[] {
  return results.runtimes.flatMap((id) => {
    const runtime = results.byRuntime[id];
    if (!runtime) return [];
    return [
      {
        id,
        node: runtime.node,
        servers: medians(runtime),
        cluster: medianTable(runtime.cluster),
        resume: medianTable(runtime.resume),
      },
    ];
  });
}

/**
 * Reads a results.json, written by this bench or by one from before Node 24, the cluster and
 * resume were in it (top-level `samples`, measured on the host's Node).
 */
export function loadResults(json: string): BenchResults {
  const raw = JSON.parse(json) as BenchResults & { samples?: RuntimeResults["samples"] };
  if (raw.byRuntime) return raw;
  const { samples = {}, ...rest } = raw;
  return {
    ...rest,
    runtimes: ["host"],
    byRuntime: { host: { ...emptyRuntime(raw.machine.node), samples } },
  };
}
