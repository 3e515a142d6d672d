// The load generator: raw SSE and WebSocket subscribers by the tens of thousands, spread over
// child processes and loopback source addresses, checking every event's sequence number.
export { LoadGenerator, CONNECTIONS_PER_PROCESS, type LatencyWindow, type LiveCounts, type LoadGeneratorOptions, type LoadReport } from './load-generator.js';
export type { ConnectSummary, DrainEnd, DrainLimits, GeneratorReport, ReconnectSettings, Route, Target, Transport } from './generator-protocol.js';
export { LatencyHistogram, type HistogramSnapshot } from './latency-histogram.js';
export { MarkerScanner } from './marker-scanner.js';
export { eventData } from './event-data.js';
export { SequenceChecker } from './sequence-checker.js';
export { WsFrameReader } from './ws-frame-reader.js';
export { DEFAULT_SOURCES, sourceEndpoint, type SourceEndpoint, type SourcePlan } from './source-endpoints.js';
export { cpuSince, childPids, readCpu, readListenOverflows, readMachineCpu, readHeldBytes, readPssBytes, sumCpu, sumHeld, sumPss, type CpuTimes } from './proc-stats.js';
export { wallMicros } from './wall-clock.js';
