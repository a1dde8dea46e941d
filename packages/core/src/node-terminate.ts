/**
 * Dropping a `ws` socket without stalling the event loop. `ws`'s `terminate()` destroys its TCP
 * socket without an error, and Node then makes one `Error` per write still queued: a client that
 * stopped reading has tens of thousands (every small frame core sent it), and dropping it held
 * the event loop — every other client — for 0.4–2 s (issue 8, the flood). Destroyed with an
 * error, the queue is dropped at once; `ws` sees the error, and closes with 1006 as before. That
 * error has no stack: nothing reads it, and Node's `destroy()` formats it at once — with source
 * maps on (`--enable-source-maps`, tsx), the first stack a process formats parses its maps,
 * which held the loop 15–20 ms in the flood's last turn.
 */

/** What {@link terminateNodeWebSocket} needs: a `ws` `WebSocket`, typed structurally. */
export interface TerminableWebSocket {
  readonly readyState?: unknown;
  terminate?(): void;
}

const CLOSED = 3;
const DROPPED = "Connection terminated by agentsocket";

/** The error a dropped socket is destroyed with, captured without stack frames. */
function droppedError(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Error(DROPPED);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Terminates a `ws`-shaped socket, destroying its TCP socket with an error when it can reach it
 * (`ws` keeps it as `_socket`), otherwise through `terminate()`.
 */
export function terminateNodeWebSocket(socket: TerminableWebSocket): void {
  const transport = (socket as { _socket?: { destroy?: (error?: Error) => unknown } })._socket;
  if (socket.readyState !== CLOSED && typeof transport?.destroy === "function") {
    transport.destroy(droppedError());
  } else {
    socket.terminate?.();
  }
}
