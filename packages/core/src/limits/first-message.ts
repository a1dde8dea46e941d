/**
 * First-message auth (`auth.firstMessage`): a socket upgraded without credentials is held —
 * unregistered, no `connected` frame, nothing processed — until its first frame
 * `{type:"auth", payload:{token}}` authenticates it like a header would, or closed with 1008.
 */
import type { ConnectionEvents, UpgradeAccepted, UpgradeRejected } from "../adapter-types.ts";
import type { AuthResult } from "../auth/authenticate.ts";
import type { AuthConfig, UpgradeRequest } from "../auth/types.ts";
import { CloseCode } from "../errors.ts";
import { normalizeIncoming } from "../frame-data.ts";
import { closeSocket } from "../managed-connection.ts";
import { unrefTimer } from "../timers.ts";
import type { SocketLike, WebSocketData } from "../types.ts";

const DEFAULT_TIMEOUT_MS = 5000;
/** Frames a client may send behind its auth frame while the token is checked. */
const MAX_QUEUED = 16;

/** The first-message settings of an auth config, or `undefined` when off. @throws {TypeError} */
export function resolveFirstMessage(
  auth: AuthConfig | undefined,
): { timeoutMs: number } | undefined {
  if (auth === undefined || auth.strategy === "none" || !auth.firstMessage) return undefined;
  const given = auth.firstMessage === true ? {} : auth.firstMessage;
  const timeoutMs = given.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new TypeError(`The "auth.firstMessage.timeoutMs" option must be a positive integer`);
  return { timeoutMs };
}

/** The handshake a token would have come in: the configured header carrying it. */
export function credentialRequest(
  auth: AuthConfig,
  token: string,
  path: string,
  remoteAddress?: string,
): UpgradeRequest {
  const named =
    auth.strategy === "custom" || auth.strategy === "none" ? undefined : auth.headerName;
  const header = (
    named ?? (auth.strategy === "apiKey" ? "x-api-key" : "authorization")
  ).toLowerCase();
  const value =
    auth.strategy === "apiKey"
      ? token
      : auth.strategy === "basic"
        ? `Basic ${token}`
        : `Bearer ${token}`;
  return { url: path, headers: { [header]: value }, ...(remoteAddress ? { remoteAddress } : {}) };
}

/** The token of a first frame `{type:"auth", payload:{token}}`, or `undefined`. */
function tokenOf(data: WebSocketData, isBinary: boolean): string | undefined {
  if (isBinary) return undefined;
  try {
    const frame = JSON.parse(normalizeIncoming(data, false) as string) as {
      type?: unknown;
      payload?: { token?: unknown };
    } | null;
    const token = frame?.type === "auth" ? frame.payload?.token : undefined;
    return typeof token === "string" && token !== "" ? token : undefined;
  } catch {
    return undefined;
  }
}

export interface HoldOptions {
  socket: SocketLike;
  decision: UpgradeAccepted;
  settings: { timeoutMs: number };
  auth: AuthConfig;
  closeTimeout: number;
  authenticate(request: UpgradeRequest): Promise<AuthResult | UpgradeRejected>;
  /** Registers the socket as authenticated; its events take over from the hold's. */
  accept(decision: UpgradeAccepted): ConnectionEvents;
  /** Frees the hold's place in the counts (idempotent). */
  release(): void;
}

/** The events an adapter forwards for a held socket. */
export function holdForFirstMessage(options: HoldOptions): ConnectionEvents {
  const { socket, decision } = options;
  let state: "waiting" | "checking" | "open" | "closed" = "waiting";
  let inner: ConnectionEvents | undefined;
  let queued: [WebSocketData, boolean][] = [];
  let terminate: ReturnType<typeof setTimeout> | undefined;

  const fail = (reason: string) => {
    if (state === "closed") return;
    state = "closed";
    clearTimeout(deadline);
    options.release();
    closeSocket(socket, CloseCode.POLICY_VIOLATION, reason);
    terminate = setTimeout(() => socket.terminate?.(), options.closeTimeout);
    unrefTimer(terminate);
  };
  const deadline = setTimeout(() => fail("Authentication timeout"), options.settings.timeoutMs);
  unrefTimer(deadline);

  const check = async (token: string) => {
    const request = credentialRequest(options.auth, token, decision.path, decision.remoteAddress);
    let auth: AuthResult | UpgradeRejected;
    try {
      auth = await options.authenticate(request);
    } catch {
      auth = { ok: false } as never;
    }
    if (state !== "checking") return;
    if (!auth.ok) return fail(auth.error?.message ?? "Invalid credentials");
    state = "open";
    const { awaitingAuth: _held, ...rest } = decision;
    inner = options.accept(auth.user ? { ...rest, user: auth.user } : rest);
    for (const [data, isBinary] of queued) inner.message(data, isBinary);
    queued = [];
  };

  return {
    get id() {
      return inner?.id ?? "";
    },
    message(data, isBinary) {
      if (state === "open") return inner!.message(data, isBinary);
      if (state === "checking") {
        if (queued.length < MAX_QUEUED) queued.push([data, isBinary]);
        else fail("Too many frames before authentication");
        return;
      }
      if (state !== "waiting") return;
      const token = tokenOf(data, isBinary);
      if (token === undefined) return fail('Authentication required: send {"type":"auth"} first');
      state = "checking";
      clearTimeout(deadline);
      void check(token);
    },
    pong: () => inner?.pong(),
    close(code, reason) {
      clearTimeout(deadline);
      clearTimeout(terminate);
      options.release();
      if (inner) inner.close(code, reason);
      state = "closed";
    },
    error: (error) => inner?.error(error),
  };
}
