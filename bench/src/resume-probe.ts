/**
 * A process of its own for `pnpm bench`'s resumable-streaming scenario, forked on the Node being
 * measured: runs resume.ts's {@link cpuPerToken} and {@link catchUp} (server and clients in this
 * process) against the Redis at argv[2], one IPC command at a time, so the bench can read Redis's
 * counters around each.
 */
import { catchUp, cpuPerToken } from "./resume.ts";
import type { ResumeMode } from "./suite-metrics.ts";

/** What the bench asks for. */
export type ProbeCommand =
  | { cmd: "cpu"; mode: ResumeMode; streams: number; tokens: number }
  | { cmd: "catchup"; mode: "memory" | "redis"; backlog: number }
  | { cmd: "stop" };

/** What the probe answers: `ready` once, then one `value` or `failed` per command. */
export type ProbeReply =
  { type: "ready" } | { type: "value"; value: number } | { type: "failed"; error: string };

const redisUrl = process.argv[2]!;
const send = (reply: ProbeReply) => process.send?.(reply);
process.on("disconnect", () => process.exit(0));
process.on("message", (command: ProbeCommand) => {
  if (command.cmd === "stop") return void process.exit(0);
  const measured =
    command.cmd === "cpu"
      ? cpuPerToken(command.mode, redisUrl, command.streams, command.tokens)
      : catchUp(command.mode, redisUrl, command.backlog);
  measured.then(
    (value) => send({ type: "value", value }),
    (error: unknown) => send({ type: "failed", error: String(error) }),
  );
});
send({ type: "ready" });
