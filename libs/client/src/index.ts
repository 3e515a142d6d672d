// @tidings/client — subscribe over WebSocket, SSE or long-poll; publish and acknowledge over HTTP.
export { createClient, chooseTransport } from './create-client.js';
export { onEvents, type EventHandlers } from './on-events.js';
export { TidingsClientError, CLIENT_ERRORS, type ClientErrorCode } from './tidings-client-error.js';
export type { CursorStorage } from './stored-cursor.js';
export type {
  AckOptions,
  ClaimedEvent,
  ConsumeOptions,
  ConsumerGroupHandle,
  GroupClaim,
  GroupConsumer,
  GroupInfo,
  GroupSettings,
  ClientOptions,
  ClientSubscription,
  ConnectionState,
  DeviceReceipt,
  EventSourceConstructor,
  EventSourceLike,
  FetchLike,
  PresenceEvent,
  PresenceSnapshot,
  PublishOptions,
  PublishResult,
  ReceiptsPage,
  ReconnectOptions,
  ResetNotice,
  SubscribeOptions,
  TidingsClient,
  TidingsEvent,
  TimerHandle,
  Timers,
  TransportName,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';
// The pure pieces, exported for tools that speak the protocol themselves (bench, tests).
export { createBackoff, type Backoff, type BackoffOptions } from './backoff.js';
export { EventDeduper } from './event-deduper.js';
export { CursorTracker, mergeCursors } from './cursor-tracker.js';
export { SseParser, type SseMessage, type SseParserHandlers } from './sse-parser.js';
