/**
 * The command line of the hostile scripts and their two sizes: the full one of issue 8's closing
 * note, and the smoke one CI runs (well under a minute for all three scripts on one framework).
 */
import type { Framework } from "@agentsocket/server";
import { readArguments } from "../cli-options.ts";
import { FRAMEWORKS } from "../report/tables.ts";

/** The scripts, in the order they run. */
export const SCRIPTS = ["fuzz", "churn", "flood"] as const;
/** A script's name. */
export type ScriptName = (typeof SCRIPTS)[number];

/** How big each script is. */
export interface HostileSizes {
  mode: "full" | "smoke";
  fuzz: { frames: number; connections: number };
  churn: { cycles: number; concurrency: number };
  /**
   * `nice`: the flooding process's scheduling priority (`--flood-nice=N`, 0–19; 0 by default):
   * with 19 it yields the CPU to the server, which tells the server's own handling of the flood
   * apart from the time a 2-core machine gives the flooder instead. Not the figure of record.
   */
  flood: { frames: number; idleMs: number; nice?: number };
  /** Longest one script may take on one framework, in ms. */
  scriptTimeout: number;
}

/** Issue 8's sizes. */
export const FULL: HostileSizes = {
  mode: "full",
  fuzz: { frames: 100_000, connections: 8 },
  churn: { cycles: 10_000, concurrency: 50 },
  flood: { frames: 400_000, idleMs: 3000 },
  scriptTimeout: 600_000,
};

/** CI's sizes. */
export const SMOKE: HostileSizes = {
  mode: "smoke",
  fuzz: { frames: 2000, connections: 4 },
  churn: { cycles: 200, concurrency: 20 },
  flood: { frames: 20_000, idleMs: 1000 },
  scriptTimeout: 30_000,
};

/** What the command line asked for. */
export interface HostileOptions {
  sizes: HostileSizes;
  scripts: ScriptName[];
  frameworks: Framework[];
  /** Seed of the fuzz frames (each connection adds its index). */
  seed: number;
}

/**
 * Parses `--smoke`, `--scripts=fuzz,churn,flood`, `--frameworks=hono,express,fastify`,
 * `--seed=N`, `--frames=N` / `--cycles=N` / `--flood-frames=N` (override the sizes), and
 * `--flood-nice=N` (0–19).
 * @throws {TypeError} naming an unknown script or framework, or a bad number.
 */
export function parseHostileOptions(argv: readonly string[]): HostileOptions {
  const { count, list } = readArguments(argv);
  for (const arg of argv) {
    if (
      !/^--(smoke|(scripts|frameworks|seed|frames|cycles|flood-frames|flood-nice)=.*)$/.test(arg)
    ) {
      throw new TypeError(`Unknown argument "${arg}"`);
    }
  }

  const base = argv.includes("--smoke") ? SMOKE : FULL;
  const frames = count("frames");
  const cycles = count("cycles");
  const floodFrames = count("flood-frames");
  const nice = count("flood-nice", 0);
  if (nice !== undefined && nice > 19) throw new TypeError("--flood-nice must be at most 19");
  return {
    sizes: {
      ...base,
      fuzz: { ...base.fuzz, ...(frames ? { frames } : {}) },
      churn: { ...base.churn, ...(cycles ? { cycles } : {}) },
      flood: {
        ...base.flood,
        ...(floodFrames ? { frames: floodFrames } : {}),
        ...(nice ? { nice } : {}),
      },
    },
    scripts: list("scripts", SCRIPTS),
    frameworks: list("frameworks", FRAMEWORKS),
    seed: count("seed", 0) ?? 1,
  };
}
