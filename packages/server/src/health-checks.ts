/**
 * `server.addHealthCheck(name, fn)` (seed 000): named checks that `/ready` runs, the message
 * broker's among them. One failing check makes readiness 503 and names itself in the body.
 */

/** What a check may answer: seed 000's `{ status, message }`, a boolean, or nothing (healthy). */
export type HealthCheckResult =
  { status: "healthy" | "unhealthy"; message?: string } | boolean | void | undefined;

/** A readiness check. A throw, a rejection, `false` or `{ status: "unhealthy" }` fails it. */
export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>;

/** One check's outcome, as `/ready` reports it. */
export interface HealthCheckReport {
  status: "healthy" | "unhealthy";
  message?: string;
}

/** How long a check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 5000;

/** The checks of one server, run together. */
export class HealthChecks {
  readonly #checks = new Map<string, HealthCheck>();

  /**
   * @throws {TypeError} for an empty name, a name already taken, or a check that is not a
   * function.
   */
  add(name: string, check: HealthCheck): void {
    if (typeof name !== "string" || name === "")
      throw new TypeError("addHealthCheck: name must be a non-empty string");
    if (typeof check !== "function")
      throw new TypeError("addHealthCheck: check must be a function");
    if (this.#checks.has(name) || name === "broker")
      throw new TypeError(`addHealthCheck: a check named ${JSON.stringify(name)} exists already`);
    this.#checks.set(name, check);
  }

  /** Runs every check at once; each gets {@link CHECK_TIMEOUT_MS}. */
  async run(): Promise<Record<string, HealthCheckReport>> {
    const entries = await Promise.all(
      Array.from(this.#checks, async ([name, check]) => [name, await runCheck(check)] as const),
    );
    return Object.fromEntries(entries);
  }
}

async function runCheck(check: HealthCheck): Promise<HealthCheckReport> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<HealthCheckReport>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: "unhealthy", message: `No answer within ${CHECK_TIMEOUT_MS} ms` }),
      CHECK_TIMEOUT_MS,
    );
    timer.unref?.();
  });
  // A thrown error's message may hold what a public probe should not see (hosts, credentials).
  const answer = (async () => judge(await check()))().catch((): HealthCheckReport => ({
    status: "unhealthy",
    message: "The check threw",
  }));
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function judge(result: HealthCheckResult): HealthCheckReport {
  if (result === false) return { status: "unhealthy" };
  if (typeof result !== "object" || result === null) return { status: "healthy" };
  const report: HealthCheckReport = {
    status: result.status === "unhealthy" ? "unhealthy" : "healthy",
  };
  if (typeof result.message === "string") report.message = result.message;
  return report;
}
