/**
 * Logging for errors a client caused (bad tool input): one line each, no stack, and at most a
 * few lines per window, so a client cannot turn cheap frames into megabytes of log (issue 8,
 * hole 9). Server faults are not logged through here; they keep their stacks.
 */

/** Options of {@link createClientErrorLog}. */
export interface ClientErrorLogOptions {
  /** Lines written per window; the rest are counted and summed up in one line. @default 10 */
  maxLines?: number;
  /** Length of a window in milliseconds. @default 10000 */
  windowMs?: number;
  /** Where lines go. @default console.error */
  write?: (line: string) => void;
}

/** Returns a writer of rate-limited single-line logs. */
export function createClientErrorLog(options: ClientErrorLogOptions = {}): (line: string) => void {
  const maxLines = options.maxLines ?? 10;
  const windowMs = options.windowMs ?? 10_000;
  const write = options.write ?? ((line: string) => console.error(line));
  let windowStart = Number.NEGATIVE_INFINITY;
  let written = 0;
  let suppressed = 0;
  return (line) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      // No timer: the summary of a window is written when the next line arrives.
      if (suppressed > 0)
        write(`[agentsocket] ${suppressed} more client errors were not logged (rate limit)`);
      windowStart = now;
      written = 0;
      suppressed = 0;
    }
    if (written < maxLines) {
      written++;
      write(line);
    } else suppressed++;
  };
}
