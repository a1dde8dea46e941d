import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCliOptions } from "./cli-options.ts";
import { parseRedisInfo, redisDelta } from "./cluster/redis-commands.ts";
import { benchmarksMarkdown } from "./report/markdown.ts";
import { runtimeComparisonTable, sideBySideRatioTable } from "./report/runtime-tables.ts";
import { clusterTable, resumeTable } from "./report/suite-specs.ts";
import { checkTargets } from "./report/targets.ts";
import { runtimePanels } from "./report/write-docs.ts";
import { loadResults, summarize, type BenchResults, type RuntimeSummary } from "./results.ts";
import { FULL } from "./sizes.ts";
import { clusterSystems, measuresResume } from "./suites.ts";

const node20: RuntimeSummary = {
  id: "host",
  node: "v20.20.2",
  servers: { hono: { "fanout.cpuPerMessage": 12 }, ws: { "fanout.cpuPerMessage": 10 } },
  cluster: {
    agentsocket: { cpuPerMessage: 30, lost: 0 },
    socketio: { cpuPerMessage: 40, lost: 0 },
  },
  resume: { plain: { cpuPerToken: 20 }, redis: { cpuPerToken: 60, redisCommandsPerFrame: 7 } },
};
const node24: RuntimeSummary = {
  ...node20,
  id: "node24",
  node: "v24.22.3",
  servers: { hono: { "fanout.cpuPerMessage": 9 }, ws: { "fanout.cpuPerMessage": 10 } },
  cluster: { agentsocket: { cpuPerMessage: 20 }, socketio: { cpuPerMessage: 40 } },
};
const row = (table: string, text: string) =>
  table.split("\n").find((line) => line.includes(text)) ?? "";

describe("command line: runtimes and the cluster and resume scenarios", () => {
  it("runs everything on Node 20 and Node 24 in a full run, and publishes only that", () => {
    const full = parseCliOptions([]);
    expect(full.runtimes).toEqual(["host", "node24"]);
    expect(full.scenarios).toEqual(expect.arrayContaining(["cluster", "resume"]));
    expect(full.writesDocs).toBe(true);
    expect(parseCliOptions(["--nodes=host"]).writesDocs).toBe(false);
    expect(parseCliOptions(["--scenarios=idle,cluster"]).scenarios).toEqual(["idle", "cluster"]);
    expect(() => parseCliOptions(["--nodes=node22"])).toThrow(/--nodes: unknown "node22"/);
  });

  it("keeps a smoke run to the host's Node and leaves the cluster out unless named", () => {
    const smoke = parseCliOptions(["--smoke"]);
    expect(smoke.runtimes).toEqual(["host"]);
    expect(smoke.scenarios).toContain("resume");
    expect(smoke.scenarios).not.toContain("cluster");
    expect(parseCliOptions(["--smoke", "--nodes=host,node24"]).runtimes).toEqual([
      "host",
      "node24",
    ]);
    expect(parseCliOptions(["--smoke", "--scenarios=cluster"]).scenarios).toEqual(["cluster"]);
    // The smoke bound grows with what was asked for: 2 runtimes, and the cluster half as much again.
    expect(parseCliOptions(["--smoke"]).sizes.totalTimeout).toBe(120_000);
    const everything = parseCliOptions(["--smoke", "--nodes=host,node24", "--scenarios=cluster"]);
    expect(everything.sizes.totalTimeout).toBe(360_000);
  });

  it("picks the cluster's systems and resumable streaming from --servers", () => {
    expect(clusterSystems(["express", "ws"])).toEqual(["agentsocket"]);
    expect(clusterSystems(["ws", "socketio"])).toEqual(["socketio"]);
    expect(clusterSystems(["hono", "socketio"])).toEqual(["agentsocket", "socketio"]);
    expect(measuresResume(["hono"])).toBe(true);
    expect(measuresResume(["express", "socketio"])).toBe(false);
  });
});

describe("report across runtimes", () => {
  it("puts Node 20's and Node 24's ratio in one cell, and Node 24 ÷ Node 20 per server", () => {
    const ratios = row(sideBySideRatioTable([node20, node24]), "fan-out");
    expect(ratios).toContain("1.20× / 0.90×"); // hono ÷ floor: 12 / 10, then 9 / 10
    expect(row(runtimeComparisonTable([node20, node24]), "fan-out")).toContain("0.75×"); // 9 / 12
  });

  it("shows the cluster and resume figures per runtime with their ratio to the reference", () => {
    const cluster = clusterTable([node20, node24]);
    expect(row(cluster, "|  ")).toContain("agentsocket ×3 (Redis), Node 24");
    expect(row(cluster, "instances (µs)")).toMatch(
      /30\.00 \(0\.75×\) .* 40\.00 .* 20\.00 \(0\.50×\)/,
    );
    const resume = resumeTable([node20]);
    expect(resume).not.toContain("Node 20"); // one runtime: no runtime in the titles
    expect(resume).not.toContain("memory log"); // not measured: no column
    expect(row(resume, "CPU per token")).toContain("60.0 (3.00×)");
    expect(row(resume, "commands per logged frame")).toContain("7.00");
  });

  it("renders the page with both runtimes' tables, the cluster, resume and the chart panels", () => {
    const results = {
      ...loadResults(
        readFileSync(new URL("../../docs/benchmarks/results.json", import.meta.url), "utf8"),
      ),
      sizes: FULL,
      scenarios: ["fanout", "cluster", "resume"],
    } as BenchResults;
    const summaries = [node20, node24];
    const targets = summaries.map((summary) => ({
      summary,
      targets: checkTargets(summary.servers),
    }));
    const page = benchmarksMarkdown(results, summaries, targets);
    expect(page).toContain("### Node 20 (v20.20.2)");
    expect(page).toContain("### Node 24 (v24.22.3)");
    expect(page).toContain("## Cluster: agentsocket × 3 on Redis");
    expect(page).toContain("## Resumable against plain streaming");
    expect(page).toContain("6. cluster");
    expect(page).toMatch(/Node 24:\n\n- \*\*/); // targets per runtime
    expect(runtimePanels(summaries).map((panel) => panel.title)).toEqual([
      "agentsocket ÷ hand-written ws floor, Node 20",
      "agentsocket ÷ Socket.IO, Node 20",
      "agentsocket ÷ hand-written ws floor, Node 24",
      "agentsocket ÷ Socket.IO, Node 24",
    ]);
  });

  it("reads a results.json from before runtimes as the host's, and renders it as one runtime", () => {
    // The results.json of the 2026-11-22 run, the last one written before runtimes existed.
    const old = readFileSync(
      new URL("./fixtures/results-before-runtimes.json", import.meta.url),
      "utf8",
    );
    const results = loadResults(
      JSON.stringify({ ...JSON.parse(old), byRuntime: undefined, runtimes: undefined }),
    );
    expect(results.runtimes).toEqual(["host"]);
    const [summary, ...rest] = summarize(results);
    expect(rest).toEqual([]);
    expect(summary?.node).toBe(results.machine.node);
    expect(summary?.servers.hono?.["streaming.cpuPerToken"]).toBeGreaterThan(0);
    const page = benchmarksMarkdown(
      results,
      [summary!],
      [{ summary: summary!, targets: checkTargets(summary!.servers) }],
    );
    expect(page).not.toContain("###");
    expect(page).not.toContain("## Cluster");
  });
});

describe("Redis counters", () => {
  it("counts commands by name, scripts' own included, leaving the meter's own out", () => {
    const stats = (evalsha: number, xadd: number, info: number) =>
      `# Commandstats\r\ncmdstat_evalsha:calls=${evalsha},usec=5\r\ncmdstat_xadd:calls=${xadd},usec=1\r\ncmdstat_info:calls=${info},usec=9\r\n`;
    const cpu = (user: string) => `# CPU\r\nused_cpu_sys:0.250000\r\nused_cpu_user:${user}\r\n`;
    const delta = redisDelta(
      parseRedisInfo(stats(10, 10, 1), cpu("1.000000")),
      parseRedisInfo(stats(15, 25, 9), cpu("1.000500")),
    );
    expect(delta.calls).toEqual({ evalsha: 5, xadd: 15 });
    expect(delta.total).toBe(20);
    expect(delta.cpuMicros).toBeCloseTo(500, 3);
  });
});
