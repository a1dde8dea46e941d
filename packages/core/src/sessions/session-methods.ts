/**
 * The session API of {@link WebSocketConnectionManager} (issue 10), a thin layer over its
 * {@link SessionRegistry}.
 */
import { FanoutMethods } from "../cluster/fanout-methods.ts";
import type { SessionRegistry, SessionStreamsProvider } from "./registry.ts";

export abstract class SessionMethods extends FanoutMethods {
  /** Set by the manager's constructor. @internal */
  protected sessions!: SessionRegistry;

  /**
   * Lists a session's resumable streams for the `session` frame's `streams` (the agent layer
   * registers one when streams are resumable). A throw or rejection lists none; the session still
   * resumes and the error goes to the path's `onError`. @default () => []
   * @throws {TypeError} when `provider` is not a function.
   */
  setSessionStreamsProvider(provider: SessionStreamsProvider): void {
    this.sessions.setStreamsProvider(provider);
  }
}
