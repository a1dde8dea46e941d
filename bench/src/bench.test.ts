import { describe, expect, it } from "vitest";
import { parseCliOptions } from "./cli-options.ts";
import { countTokens, parseWorkload, readStamps, workloadPrompt } from "./fake-backend.ts";
import { buildChartSvg, ratioPanels } from "./report/chart.ts";
import { formatNumber, formatRatio, formatTable, ratio } from "./report/format.ts";
import { absoluteTable, ratioTable, type Summary } from "./report/tables.ts";
import { checkTargets, formatTargets } from "./report/targets.ts";
import { medians } from "./results.ts";
import { median, percentile } from "./statistics.ts";
import { SampleLog } from "./tally.ts";

const summary: Summary = {
  hono: { "streaming.cpuPerToken": 3, "idle.bytesPerConnection": 20_000, "realistic.p99": 4 },
  express: { "streaming.cpuPerToken": 4, "idle.bytesPerConnection": 8000, "realistic.p99": 12 },
  fastify: { "streaming.cpuPerToken": 5, "idle.bytesPerConnection": 9000, "realistic.p99": 5 },
  ws: { "streaming.cpuPerToken": 8, "idle.bytesPerConnection": 10_000, "realistic.p99": 2 },
  socketio: { "streaming.cpuPerToken": 10, "idle.bytesPerConnection": 15_000, "realistic.p99": 3 },
};

describe("statistics", () => {
  it("takes the median of odd and even counts, NaN when empty", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100…1, unsorted
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("summarizes runs by their median", () => {
    const result = medians({ samples: { ws: { "handshakes.perSecond": [900, 1100, 1000] } } });
    expect(result.ws?.["handshakes.perSecond"]).toBe(1000);
  });
});

describe("sample log", () => {
  it("keeps every number across its chunks and sorts a copy", () => {
    const log = new SampleLog();
    expect(log.sorted()).toEqual(new Float64Array(0));
    const count = 150_000; // more than two chunks of 65,536
    for (let i = 0; i < count; i++) log.push((i * 7919) % count);
    expect(log.length).toBe(count);
    const sorted = log.sorted();
    expect(sorted.length).toBe(count);
    expect(sorted.every((value, i) => value === i)).toBe(true);
    log.clear();
    log.push(2.5);
    expect([...log.sorted()]).toEqual([2.5]);
  });
});

describe("fake backend text", () => {
  it("counts tokens and reads every stamp of a coalesced frame", () => {
    const text = "⟨1732272712345.123⟩hello ⟨1732272712345.456⟩world ";
    expect(countTokens(text)).toBe(2);
    expect(readStamps(text)).toEqual([1732272712345.123, 1732272712345.456]);
    expect(countTokens("hello world agent ")).toBe(3);
  });

  it("round-trips a workload and refuses anything else", () => {
    expect(parseWorkload(workloadPrompt({ tokens: 5, rate: 30 }))).toEqual({ tokens: 5, rate: 30 });
    expect(() => parseWorkload('{"tokens":-1,"rate":0}')).toThrow(TypeError);
  });
});

describe("report", () => {
  it("formats numbers, ratios and missing values", () => {
    expect(formatNumber(1234.5, 1)).toBe("1,234.5");
    expect(formatNumber(undefined, 0)).toBe("—");
    expect(formatRatio(0.875)).toBe("0.88×");
    expect(formatRatio(0.05)).toBe("0.050×");
    expect(ratio(1, 0)).toBeUndefined();
  });

  it("aligns a markdown table", () => {
    expect(formatTable(["name", "n"], [["a", "10"]])).toBe(
      "| name |   n |\n| :--- | --: |\n| a    |  10 |",
    );
  });

  it("puts each framework's ratios to the floor and to Socket.IO in the ratio table", () => {
    const table = ratioTable(summary);
    const row = table.split("\n").find((line) => line.includes("server CPU per token"))!;
    expect(row).toContain("0.38×"); // hono ÷ floor = 3 / 8
    expect(row).toContain("0.30×"); // hono ÷ Socket.IO = 3 / 10
    expect(absoluteTable(summary)).toContain("agentsocket fastify");
  });

  it("meets a target only when every framework meets it", () => {
    const [streaming, idle, , , latency] = checkTargets(summary);
    expect(streaming?.met).toBe(true);
    expect(idle?.met).toBe(false); // hono holds 2× the floor
    expect(latency?.met).toBe(false); // express p99 6× the floor's
    expect(latency?.details).toEqual([
      "hono 2.00× floor ✗",
      "express 6.00× floor ✗",
      "fastify 2.50× floor ✗",
    ]);
    expect(checkTargets(summary)[2]?.met).toBeUndefined(); // no handshake figures
    expect(formatTargets(checkTargets(summary))[1]).toMatch(/^MISSED .*hono 2\.00× floor/);
  });

  it("holds fan-out to Socket.IO's figure and paced CPU to the floor's", () => {
    const fanout = (hono: number) =>
      checkTargets({
        ...Object.fromEntries(
          (["hono", "express", "fastify"] as const).map((name) => [
            name,
            { "fanout.cpuPerMessage": 9 },
          ]),
        ),
        hono: { "fanout.cpuPerMessage": hono },
        socketio: { "fanout.cpuPerMessage": 10 },
      })[3];
    expect(fanout(10)?.met).toBe(true); // 1.0× Socket.IO is within
    expect(fanout(10.5)?.met).toBe(false);
    expect(fanout(10.5)?.details[0]).toBe("hono 1.05× Socket.IO ✗");
    expect(checkTargets(summary)[5]?.met).toBeUndefined(); // no paced figures
  });

  it("checks the Socket.IO binding against plain Socket.IO: within 1.1× per token, paced too", () => {
    const binding = (metric: "streaming.cpuPerToken" | "realistic.cpuPerToken", cpu: number) => {
      const results = checkTargets({
        ...summary,
        socketio: { ...summary.socketio, "realistic.cpuPerToken": 20 },
        "socketio-agent": { [metric]: cpu },
      });
      return results.find(
        (result) => result.target.metric === metric && result.target.title.includes("Socket.IO:"),
      );
    };
    expect(binding("streaming.cpuPerToken", 11)?.met).toBe(true); // 11 / 10 = 1.1×
    expect(binding("streaming.cpuPerToken", 11.5)).toMatchObject({
      met: false,
      details: ["1.15× Socket.IO ✗"],
    });
    expect(binding("realistic.cpuPerToken", 22)?.met).toBe(true); // 22 / 20 = 1.1×
    expect(binding("realistic.cpuPerToken", 23)).toMatchObject({
      met: false,
      details: ["1.15× Socket.IO ✗"],
    });
    expect(checkTargets(summary).at(-1)?.met).toBeUndefined(); // not measured
  });

  it("draws a well-formed SVG chart of the ratios", () => {
    const svg = buildChartSvg(ratioPanels(summary), ["hono", "express", "fastify"], "a < b & c");
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("a &lt; b &amp; c");
    // Every element opened is closed: count open tags against closing and self-closing ones.
    const opened = svg.match(/<[a-z]+[\s>]/g)?.length ?? 0;
    const closed = (svg.match(/<\/[a-z]+>/g)?.length ?? 0) + (svg.match(/\/>/g)?.length ?? 0);
    expect(opened).toBe(closed);
    // Three metrics × three frameworks per panel, two panels: 18 bars.
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(18);
  });
});

describe("command line", () => {
  it("publishes only full runs of everything, measured the standard way", () => {
    expect(parseCliOptions([]).writesDocs).toBe(true);
    expect(parseCliOptions(["--runs=5"]).sizes.runs).toBe(5);
    expect(parseCliOptions(["--smoke"]).writesDocs).toBe(false);
    expect(parseCliOptions(["--servers=ws,hono"]).servers).toEqual(["hono", "ws"]);
    expect(parseCliOptions(["--servers=ws"]).writesDocs).toBe(false);
    expect(parseCliOptions(["--streams=50"]).writesDocs).toBe(false);
    expect(() => parseCliOptions(["--servers=nginx"])).toThrow(/unknown "nginx"/);
    expect(() => parseCliOptions(["--runs=0"])).toThrow(TypeError);
  });
});
