/**
 * Bounds every wait of the bench: nothing may hang a run.
 */

/**
 * Resolves like `promise`, or rejects after `ms` milliseconds naming `what`.
 * @throws {Error} `"<what> timed out after <ms> ms"`.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves once `check()` is true, checking every `interval` ms.
 * @throws {Error} `"<what> timed out after <ms> ms"`.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  interval = 5,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what} timed out after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
