// @tidings/protocol: the wire contract shared by the edge, the worker and the browser client.
// Zero runtime dependencies and no Node built-ins, so it runs in browsers unchanged.
export { ERRORS, TidingsError, errorBody, isErrorCode, isTidingsError, type ErrorCode } from './errors.js';
export {
  CHANNEL_MAX_BYTES,
  isChannel,
  isPattern,
  matchesPattern,
  patternCovers,
  parseChannel,
  parseSubscription,
  patternGlob,
  type Subscription,
} from './channel.js';
export {
  ZERO_ID,
  expandSince,
  compareStreamIds,
  isStreamId,
  maxStreamId,
  minStreamId,
  parseStreamId,
  previousStreamId,
  streamIdMs,
  streamIdParts,
  type StreamId,
} from './stream-id.js';
export {
  CURSOR_MAX_CHANNELS,
  CURSOR_MAX_LENGTH,
  cursorPosition,
  decodeCursor,
  encodeCursor,
  isCursorLike,
  type Cursor,
} from './cursor.js';
export { encodeSseComment, encodeSseEvent, encodeSseId, encodeSseRetry, type SseEvent } from './sse.js';
export {
  DEFAULT_BODY_LIMITS,
  decodeUtf8Strict,
  isJsonObject,
  parseJsonStrict,
  parseJsonText,
  type BodyLimits,
  type JsonObject,
  type JsonValue,
} from './json-value.js';
export { EVENT_NAME_DEFAULT, EVENT_NAME_MAX_LENGTH, isEventName, parseEventName } from './event-name.js';
export { IDEMPOTENCY_KEY_MAX_LENGTH, isIdempotencyKey, parseIdempotencyKey } from './idempotency-key.js';
export { parseBatchBody, parsePublishBody, type BatchItem, type PublishRequest } from './publish-request.js';
export {
  ACK_DETAIL_MAX_LENGTH,
  ACK_STATUSES,
  FRAME_REF_MAX_LENGTH,
  parseClientFrame,
  type AckStatus,
  type ClientFrame,
  type FrameRef,
} from './client-frame.js';
export { encodeEventFrame, encodeRedeliveryFrame, encodeServerFrame, type ResetReason, type ServerFrame } from './server-frame.js';
export { CLOSE, shouldReconnect, type CloseCode } from './close-codes.js';
export { DEVICE_MAX_LENGTH, isDeviceId, parseDeviceId } from './device.js';
export { parseReceiptBody, type ReceiptRequest } from './receipt-request.js';
export {
  CLAIM_DEFAULT_COUNT,
  CLAIM_MAX_COUNT,
  CLAIM_MAX_WAIT_SECONDS,
  CONSUMER_NAME_MAX_LENGTH,
  GROUP_ACK_MAX_IDS,
  GROUP_DEFAULT_MAX_DELIVERIES,
  GROUP_DEFAULT_VISIBILITY_SECONDS,
  GROUP_MAX_DELIVERIES,
  GROUP_MAX_VISIBILITY_SECONDS,
  GROUP_NAME_MAX_LENGTH,
  isGroupName,
  parseClaimBody,
  parseConsumerName,
  parseEventIdsBody,
  parseGroupName,
  parseGroupSettingsBody,
  readClaim,
  readEventIds,
  readGroupSettings,
  type ClaimRequest,
  type GroupSettingsRequest,
  type GroupStart,
} from './consumer-group.js';
