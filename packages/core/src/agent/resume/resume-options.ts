/**
 * The `resume` agent option: resumable streams over WebSocket — what it accepts, its defaults and
 * the up-front checks that name a bad field.
 */
import { createMemoryStreamStore } from "../../stream-store/memory-stream-store.ts";
import {
  resolveStreamRetention,
  type ResolvedStreamRetention,
  type StreamRetention,
  type StreamStore,
} from "../../stream-store/stream-store.ts";

/**
 * Resumable streams (`agent.resume`). Every frame of a stream gets `streamId` and `offset`, a
 * dropped connection detaches its streams for `graceMs` instead of aborting them, and
 * `{type:"resume", payload:{streamId, offset}}` on a new connection continues one. The bounds are
 * per stream: a stream that outgrows them ends with `error {code:"STREAM_TOO_LARGE"}`.
 */
export interface AgentResumeOptions extends StreamRetention {
  /**
   * Milliseconds a stream runs on with nobody reading it (its connection dropped, no resumer);
   * then it is aborted upstream and ends `cancelled`. @default 30000
   */
  graceMs?: number;
  /**
   * Where the logs live. The in-memory store serves one process; `createRedisStreamStore()` from
   * `@agentsocket/redis` lets a client resume on another instance. @default createMemoryStreamStore()
   */
  store?: StreamStore;
  /**
   * Milliseconds between a resumer's checks of the log while it waits for live frames (they
   * repair a lost live frame and notice a stream whose owner is gone). @default 5000
   */
  positionCheckMs?: number;
  /** Frames a resumer reads from the log at once. @default 500 */
  pageSize?: number;
}

/** The `resume` option as given: `true` takes every default. */
export type AgentResumeOption = boolean | AgentResumeOptions;

/** {@link AgentResumeOptions} with every default filled in. */
export interface ResolvedResumeOptions {
  graceMs: number;
  positionCheckMs: number;
  pageSize: number;
  store: StreamStore;
  retention: ResolvedStreamRetention;
}

/** The `resume` field of `AgentOptions`. */
export interface AgentResumeField {
  /**
   * Resumable streams over WebSocket (`true`: every default): a dropped connection detaches its
   * streams for `graceMs`, and `resume {streamId, offset}` continues one on a new connection.
   * Off, a disconnect aborts as it always did. See {@link AgentResumeOptions}. @default false
   */
  resume?: AgentResumeOption;
}

/** The `resume` field of `ResolvedAgentOptions`: `undefined` when off. */
export interface ResolvedResumeField {
  resume: ResolvedResumeOptions | undefined;
}

const DEFAULTS = { graceMs: 30_000, positionCheckMs: 5000, pageSize: 500 };

/**
 * Resolves `resume` (`undefined`/`false`: off).
 * @throws {TypeError} naming the first invalid field.
 */
export function resolveResumeOptions(
  option: AgentResumeOption | undefined,
): ResolvedResumeOptions | undefined {
  if (option === undefined || option === false) return undefined;
  if (option !== true && (typeof option !== "object" || option === null)) {
    throw new TypeError('The "resume" option must be a boolean or an object');
  }
  const given: AgentResumeOptions = option === true ? {} : option;
  const settings = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = given[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`The "resume.${name}" option must be a positive integer`);
    }
    settings[name] = value;
  }
  const store = given.store;
  if (store !== undefined && typeof store?.create !== "function") {
    throw new TypeError('The "resume.store" option must be a StreamStore');
  }
  const { maxFrames, maxBytes, activeTtlMs, completedTtlMs, metaTtlMs } = given;
  let retention: ResolvedStreamRetention;
  try {
    retention = resolveStreamRetention(
      Object.fromEntries(
        Object.entries({ maxFrames, maxBytes, activeTtlMs, completedTtlMs, metaTtlMs }).filter(
          ([, value]) => value !== undefined,
        ),
      ),
    );
  } catch (error) {
    throw new TypeError((error as Error).message.replace('The "', 'The "resume.'));
  }
  return { ...settings, store: store ?? createMemoryStreamStore(), retention };
}
