/**
 * The targets of the benchmark issues (#4's token streaming, #14's performance round 2), checked
 * for every agentsocket framework on its own: a target is met only when all three frameworks meet it.
 */
import { metricInfo, type MetricId } from "../metrics.ts";
import { formatNumber, formatRatio } from "./format.ts";
import { FRAMEWORKS, ratioOf, type Summary } from "./tables.ts";

/** One target of the issue. */
export interface Target {
  title: string;
  metric: MetricId;
  /** Largest allowed ratio to the ws floor. */
  maxFloorRatio?: number;
  /** Smallest allowed ratio to the ws floor. */
  minFloorRatio?: number;
  /** Must be lower than Socket.IO's figure. */
  belowSocketIo?: boolean;
  /** Largest allowed ratio to Socket.IO's figure. */
  maxSocketIoRatio?: number;
  /** Must be below this absolute value. */
  below?: number;
}

/** The targets, as the issues state them. */
export const TARGETS: readonly Target[] = [
  {
    title: "token streaming CPU per token ≤ 1.0 × ws floor and lower than Socket.IO",
    metric: "streaming.cpuPerToken",
    maxFloorRatio: 1.0,
    belowSocketIo: true,
  },
  {
    title: "idle memory per connection ≤ 1.1 × ws floor and lower than Socket.IO",
    metric: "idle.bytesPerConnection",
    maxFloorRatio: 1.1,
    belowSocketIo: true,
  },
  {
    title: "JWT handshakes/s ≥ 0.95 × ws floor",
    metric: "handshakes.perSecond",
    minFloorRatio: 0.95,
  },
  {
    title: "fan-out CPU per delivered message ≤ 1.0 × Socket.IO",
    metric: "fanout.cpuPerMessage",
    maxSocketIoRatio: 1.0,
  },
  {
    title: "p99 yield→receipt at 30 tokens/s per stream (half load) ≤ 1.5 × ws floor",
    metric: "realistic.p99",
    maxFloorRatio: 1.5,
  },
  {
    title: "paced CPU per token (30 tokens/s, one token per frame) ≤ 1.0 × ws floor",
    metric: "realistic.cpuPerToken",
    maxFloorRatio: 1.0,
  },
];

/** A target checked against a summary. `met` is undefined when figures are missing. */
export interface TargetResult {
  target: Target;
  met: boolean | undefined;
  /** Per framework: the figures that decided, e.g. `hono 0.42× floor, 0.30× Socket.IO`. */
  details: string[];
}

/**
 * Issue 15's target: the Socket.IO binding costs at most 1.1 × plain Socket.IO per token, with
 * the backend at full speed and with paced streams (where both carry the same stream count).
 */
export const SOCKETIO_BINDING_TARGETS: readonly Target[] = [
  {
    title:
      "agentsocket on Socket.IO: CPU per token ≤ 1.1 × plain Socket.IO (backend at full speed)",
    metric: "streaming.cpuPerToken",
  },
  {
    title: "agentsocket on Socket.IO: paced CPU per token ≤ 1.1 × plain Socket.IO (same streams)",
    metric: "realistic.cpuPerToken",
  },
];
const SOCKETIO_BINDING_MAX = 1.1;

function checkBindingTarget(summary: Summary, target: Target): TargetResult {
  const metric = metricInfo(target.metric);
  const value = ratioOf(summary, metric, "socketio-agent", "socketio");
  const met = value === undefined ? undefined : value <= SOCKETIO_BINDING_MAX;
  const verdict = met === undefined ? " (n/a)" : met ? "" : " ✗";
  return { target, met, details: [`${formatRatio(value)} Socket.IO${verdict}`] };
}

/** Checks every target for every framework, then the Socket.IO binding's. */
export function checkTargets(summary: Summary): TargetResult[] {
  return [
    ...TARGETS.map((target) => checkFrameworks(summary, target)),
    ...SOCKETIO_BINDING_TARGETS.map((target) => checkBindingTarget(summary, target)),
  ];
}

function checkFrameworks(summary: Summary, target: Target): TargetResult {
  const metric = metricInfo(target.metric);
  const all: (boolean | undefined)[] = [];
  const details = FRAMEWORKS.map((framework) => {
    const value = summary[framework]?.[target.metric];
    const floor = ratioOf(summary, metric, framework, "ws");
    const socketIo = ratioOf(summary, metric, framework, "socketio");
    const checks: (boolean | undefined)[] = [];
    const parts: string[] = [];
    if (target.maxFloorRatio !== undefined || target.minFloorRatio !== undefined) {
      parts.push(`${formatRatio(floor)} floor`);
      checks.push(
        floor === undefined
          ? undefined
          : floor <= (target.maxFloorRatio ?? Infinity) && floor >= (target.minFloorRatio ?? 0),
      );
    }
    if (target.belowSocketIo || target.maxSocketIoRatio !== undefined) {
      parts.push(`${formatRatio(socketIo)} Socket.IO`);
      const max = target.maxSocketIoRatio;
      checks.push(
        socketIo === undefined ? undefined : max === undefined ? socketIo < 1 : socketIo <= max,
      );
    }
    if (target.below !== undefined) {
      parts.push(`${formatNumber(value, metric.digits)} ${metric.unit}`);
      checks.push(value === undefined ? undefined : value < target.below);
    }
    all.push(...checks);
    const ok = checks.every((check) => check === true);
    return `${framework} ${parts.join(", ")}${ok ? "" : checks.includes(undefined) ? " (n/a)" : " ✗"}`;
  });
  const met = all.includes(false) ? false : all.includes(undefined) ? undefined : true;
  return { target, met, details };
}

/** One line per target: `met`/`MISSED`/`n/a`, the title, and each framework's figures. */
export function formatTargets(results: TargetResult[]): string[] {
  return results.map(({ target, met, details }) => {
    const verdict = met === undefined ? "n/a   " : met ? "met   " : "MISSED";
    return `${verdict} ${target.title}: ${details.join("; ")}`;
  });
}
