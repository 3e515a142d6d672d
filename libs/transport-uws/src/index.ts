export { isNativeUws, loadUws, UwsFallbackError, type Uws } from './load-uws.js';
export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket } from './load-uws.js';
export { BodyTooLargeError, HttpExchange, RequestAbortedError, statusLine, type Headers } from './http-exchange.js';
export { byteLength, type Chunk, OutputFlusher, type WriteOutcome } from './output-flusher.js';
export { SseStream, type StreamListener } from './sse-stream.js';
export { type OverflowListener, WsOutput } from './ws-output.js';
export { TcpOutput } from './tcp-output.js';
export type { SessionOutput } from './session-output.js';
export { ListenError, listen, type Listening, type PortSharing } from './listen.js';
