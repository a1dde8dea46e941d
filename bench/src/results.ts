/**
 * The raw results of a bench (written as docs/benchmarks/results.json) and the medians every
 * figure of the report is made of.
 */
import os from "node:os";
import type { MetricId, Measurements } from "./metrics.ts";
import type { ScenarioId } from "./scenarios/scenario.ts";
import type { ServerKind } from "./server-process.ts";
import type { Sizes } from "./sizes.ts";
import { median } from "./statistics.ts";

/** The machine a bench ran on. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

/** A scenario that failed on a server in one run (its figures are then missing). */
export interface Failure {
  run: number;
  server: ServerKind;
  scenario: ScenarioId | "start";
  error: string;
}

/** Everything one bench measured. */
export interface BenchResults {
  mode: Sizes["mode"];
  /** ISO date and time the bench started. */
  date: string;
  machine: Machine;
  sizes: Sizes;
  servers: ServerKind[];
  scenarios: ScenarioId[];
  /** Every run's value, per server and metric. */
  samples: Partial<Record<ServerKind, Partial<Record<MetricId, number[]>>>>;
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

/** Adds one run's measurements of `server` to `results.samples`. */
export function addSamples(results: BenchResults, server: ServerKind, values: Measurements): void {
  const samples = (results.samples[server] ??= {});
  for (const [id, value] of Object.entries(values) as [MetricId, number][]) {
    (samples[id] ??= []).push(value);
  }
}

/** The median of every metric of every server that has samples. */
export function medians(
  results: Pick<BenchResults, "samples">,
): Partial<Record<ServerKind, Measurements>> {
  const out: Partial<Record<ServerKind, Measurements>> = {};
  for (const [server, metrics] of Object.entries(results.samples) as [
    ServerKind,
    Partial<Record<MetricId, number[]>>,
  ][]) {
    const values: Measurements = {};
    for (const [id, samples] of Object.entries(metrics) as [MetricId, number[]][]) {
      values[id] = median(samples);
    }
    out[server] = values;
  }
  return out;
}
