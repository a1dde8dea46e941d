/**
 * Runs user callbacks so that a throw or a rejected promise becomes a report, never a crash or
 * an unhandled rejection.
 */
import { toError } from "./errors.ts";

/** Calls `fn`; a synchronous throw or an async rejection is passed to `report`. */
export function invokeSafely<A extends unknown[]>(
  fn: ((...args: A) => unknown) | undefined,
  report: (error: Error) => void,
  ...args: A
): void {
  if (fn === undefined) return;
  try {
    const result = fn(...args);
    if (
      result !== null &&
      typeof result === "object" &&
      typeof (result as Promise<unknown>).then === "function"
    ) {
      (result as Promise<unknown>).then(undefined, (error: unknown) => report(toError(error)));
    }
  } catch (error) {
    report(toError(error));
  }
}
