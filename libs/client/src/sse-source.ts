// One SSE connection that keeps itself connected: the native EventSource or the fetch reader.
import type { SseMessage } from './sse-parser.js';
import type { TidingsClientError } from './tidings-client-error.js';

export interface SseSourceHandlers {
  open(): void;
  message(message: SseMessage): void;
  /** The connection dropped; the source is reconnecting. */
  connecting(): void;
  /** The source gave up for good (e.g. a 4xx): it is closed. */
  failed(error: TidingsClientError): void;
}

export interface SseSource {
  /** The last `id:` seen, which the server uses as the whole subscription's cursor. */
  readonly lastEventId: string | undefined;
  close(): void;
}
