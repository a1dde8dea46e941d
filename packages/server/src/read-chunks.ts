/**
 * Test support: reads a `ReadableStream` (a chat transport's chunk stream) until it ends or errors,
 * or until `stop` says enough, and releases the reader's lock either way, so the same stream can
 * be read on afterwards. Plain TypeScript that Node runs as is: the Node 24 fixtures import it too.
 */

/** What {@link readChunks} read, and how the reading ended. */
export interface ReadChunks<T> {
  chunks: T[];
  /** True when the stream ended (not when `stop` stopped the reading, nor on an error). */
  ended: boolean;
  error: Error | undefined;
}

export async function readChunks<T>(
  stream: ReadableStream<T>,
  stop: (chunks: T[]) => boolean = () => false,
): Promise<ReadChunks<T>> {
  const reader = stream.getReader();
  const chunks: T[] = [];
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return { chunks, ended: true, error: undefined };
      chunks.push(next.value);
      if (stop(chunks)) return { chunks, ended: false, error: undefined };
    }
  } catch (error) {
    return { chunks, ended: false, error: error as Error };
  } finally {
    reader.releaseLock();
  }
}
