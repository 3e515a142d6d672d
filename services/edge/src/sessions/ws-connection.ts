import type { Grant } from '@tidings/auth';
import { CLOSE, encodeServerFrame, type ServerFrame } from '@tidings/protocol';
import { SocketSession, type SocketSessionDeps } from './socket-session.js';
import type { WsSink } from './ws-sink.js';

/** What a WebSocket needs of its node: one object shared by all of them (the node's context fits). */
export type WsConnectionDeps = SocketSessionDeps;

const SETTLED: Promise<void> = Promise.resolve();

/**
 * One `/v1/ws` WebSocket's state, the node's handle on it (a Session): its credentials and device,
 * its frames waiting to be handled, and (from SocketSession) its writer and subscriptions.
 */
export class WsConnection extends SocketSession<WsSink> {
  get transport(): 'ws' {
    return 'ws';
  }
  protocolErrors = 0;
  /** Claims of consumer groups waiting for work (they run beside the frame queue). */
  claims = 0;
  /** Frames received and not yet handled (count and text length), and the end of their chain. */
  queued = 0;
  queuedBytes = 0;
  done: Promise<void> = SETTLED;

  constructor(
    deps: WsConnectionDeps,
    /** What the connection may do; undefined until its first frame, `auth`, gives a token. */
    public grant: Grant | undefined,
    /** The device this connection speaks for (`?device=` or a subscribe frame's `device`). */
    public device: string | undefined,
    slots: readonly (() => void)[],
  ) {
    super(deps, slots);
  }

  /** Every frame received has been handled. */
  settled(): void {
    this.done = SETTLED;
  }

  get expiresAt(): number | undefined {
    return this.grant?.expiresAt;
  }

  send(frame: ServerFrame): void {
    this.sendRaw(encodeServerFrame(frame));
  }

  expire(): void {
    this.end(CLOSE.TOKEN_EXPIRED, 'token expired: authenticate again and resume');
  }

  closeForShutdown(): void {
    this.end(CLOSE.GOING_AWAY, 'server shutting down');
  }
}
