/**
 * One socket seen through another `send`: what core's socket wrappers (the unsent-bytes cap, the
 * instrumentation's counting) share, so every optional capability of the socket underneath
 * (`ping`, `terminate`, `pause`/`resume`) stays reachable through any stack of wrappers.
 */
import type { SocketLike, WebSocketData } from "./types.ts";

/** `socket` with `send` replaced; everything else is forwarded as it is. */
export function withSend(socket: SocketLike, send: (data: WebSocketData) => void): SocketLike {
  const wrapped: SocketLike = {
    send,
    close: (code, reason) => socket.close(code, reason),
    get readyState() {
      return socket.readyState;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
  if (socket.ping) wrapped.ping = () => socket.ping!();
  if (socket.terminate) wrapped.terminate = () => socket.terminate!();
  if (socket.pause && socket.resume) {
    wrapped.pause = () => socket.pause!();
    wrapped.resume = () => socket.resume!();
  }
  return wrapped;
}
