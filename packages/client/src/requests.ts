/**
 * The request/reply side of the client: requests waiting for their reply frame by `requestId`,
 * those not yet sent (queued while the client reconnects), and what a drop does to each.
 */
import { AgentSocketError } from "./errors.ts";
import type { ServerFrame } from "./link.ts";

/** A client frame of protocol v1. */
export interface ClientFrame {
  type: string;
  requestId: string;
  payload?: object;
}

/** One request waiting for its reply. */
export interface PendingRequest {
  frame: ClientFrame;
  /** The reply's frame type (`response`, `tool_result`, `joined`, …). */
  reply: string;
  /** Sent on the current connection. */
  sent: boolean;
  /** Safe to send again after a reconnect (`join`, `leave`, `session_resume`: idempotent). */
  idempotent: boolean;
  resolve(frame: ServerFrame): void;
  reject(error: AgentSocketError): void;
}

/** The error a server `error` frame stands for. */
export function errorFromFrame(frame: ServerFrame, requestId?: string): AgentSocketError {
  const code = typeof frame.code === "string" ? frame.code : "INTERNAL_ERROR";
  const message = typeof frame.error === "string" ? frame.error : `The server answered ${code}`;
  return new AgentSocketError(code, message, requestId === undefined ? {} : { requestId });
}

/** @internal */
export class PendingRequests {
  readonly #requests = new Map<string, PendingRequest>();

  add(request: PendingRequest): void {
    this.#requests.set(request.frame.requestId, request);
  }

  get(requestId: string): PendingRequest | undefined {
    return this.#requests.get(requestId);
  }

  delete(requestId: string): void {
    this.#requests.delete(requestId);
  }

  /** The requests not sent yet, oldest first. */
  unsent(): PendingRequest[] {
    return [...this.#requests.values()].filter((request) => !request.sent);
  }

  /** Settles a request with its reply frame. @returns false when `frame` answers no request. */
  settle(frame: ServerFrame): boolean {
    const requestId = typeof frame.requestId === "string" ? frame.requestId : undefined;
    const request = requestId === undefined ? undefined : this.#requests.get(requestId);
    if (!request || (frame.type !== "error" && frame.type !== request.reply)) return false;
    this.#requests.delete(requestId!);
    if (frame.type === "error") request.reject(errorFromFrame(frame, requestId));
    else request.resolve(frame);
    return true;
  }

  /**
   * The connection dropped: idempotent requests wait to be sent again, the others (the server may
   * or may not have run them) fail with `CONNECTION_LOST`; with `final`, every request fails.
   */
  dropped(final: boolean): void {
    for (const [requestId, request] of this.#requests) {
      if (request.sent && !(request.idempotent && !final)) {
        this.#requests.delete(requestId);
        request.reject(
          new AgentSocketError(
            "CONNECTION_LOST",
            `The connection dropped before "${request.frame.type}" was answered`,
            {
              requestId,
            },
          ),
        );
      } else if (final) {
        this.#requests.delete(requestId);
        request.reject(closedError(requestId));
      } else {
        request.sent = false;
      }
    }
  }

  /** Fails every request (the client was closed). */
  closeAll(): void {
    for (const [requestId, request] of this.#requests) request.reject(closedError(requestId));
    this.#requests.clear();
  }
}

/** The error of a request the client can no longer send. */
export function closedError(requestId?: string): AgentSocketError {
  const message = "The client is closed (client.close() was called, or reconnecting gave up)";
  return new AgentSocketError(
    "CONNECTION_CLOSED",
    message,
    requestId === undefined ? {} : { requestId },
  );
}
