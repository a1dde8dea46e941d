/**
 * The cluster and resumable-streaming tables of the report, as {@link suiteTable} specs.
 */
import type { RuntimeSummary } from "../results.ts";
import {
  CLUSTER_METRICS,
  CLUSTER_SYSTEMS,
  RESUME_METRICS,
  RESUME_MODES,
  type ClusterMetricId,
  type ClusterSystem,
  type ResumeMetricId,
  type ResumeMode,
} from "../suite-metrics.ts";
import { suiteTable, type SuiteTableSpec } from "./runtime-tables.ts";

export const CLUSTER_SPEC: SuiteTableSpec<ClusterSystem, ClusterMetricId> = {
  pick: (summary) => summary.cluster,
  columns: CLUSTER_SYSTEMS,
  titles: { agentsocket: "agentsocket ×3 (Redis)", socketio: "Socket.IO ×3 (redis-adapter)" },
  metrics: CLUSTER_METRICS,
  reference: "socketio",
};

export const RESUME_SPEC: SuiteTableSpec<ResumeMode, ResumeMetricId> = {
  pick: (summary) => summary.resume,
  columns: RESUME_MODES,
  titles: {
    plain: "plain",
    memory: "memory log",
    redis: "Redis log",
    "redis-5ms": "Redis log, 5 ms batches",
  },
  metrics: RESUME_METRICS,
  reference: "plain",
};

/** The cluster table: agentsocket ÷ Socket.IO in each agentsocket cell. */
export const clusterTable = (summaries: readonly RuntimeSummary[]): string =>
  suiteTable(summaries, CLUSTER_SPEC);

/** The resumable-streaming table: each log ÷ plain in its cells. */
export const resumeTable = (summaries: readonly RuntimeSummary[]): string =>
  suiteTable(summaries, RESUME_SPEC);

/** Whether any runtime measured the cluster / resumable streaming. */
export const hasCluster = (summaries: readonly RuntimeSummary[]): boolean =>
  summaries.some((summary) => Object.keys(summary.cluster).length > 0);
export const hasResume = (summaries: readonly RuntimeSummary[]): boolean =>
  summaries.some((summary) => Object.keys(summary.resume).length > 0);
