export { isNativeUws, loadUws, UwsFallbackError, type Uws } from './load-uws.js';
export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket } from './load-uws.js';
export { BodyTooLargeError, HttpExchange, RequestAbortedError, statusLine, type Headers } from './http-exchange.js';
export { SseStream, type WriteOutcome } from './sse-stream.js';
export { ListenError, listen, type Listening, type PortSharing } from './listen.js';
