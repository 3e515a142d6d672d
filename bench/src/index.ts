// @tidings/bench: the load generator, the bench suite (runBench, its scenarios) and the fan-out
// bench built on it, for other suites to reuse.
export * from './loadgen/index.js';
export { type FanoutScenario, parseFanoutArgs } from './fanout/fanout-options.js';
export { type FanoutResult, runFanoutScenario } from './fanout/run-fanout-scenario.js';
export { type FanoutFigures, fanoutFigures } from './fanout/fanout-figures.js';
export { Publisher, type PublishMode, type PublishPlan } from './fanout/publisher.js';
export { BENCH_CHANNEL, type ServerKind, type ServerUnderTest } from './servers/server-under-test.js';
export { startTidings } from './servers/tidings-server.js';
export { startFloor } from './servers/floor-server.js';
export { startNchan } from './servers/nchan-server.js';
export { runBench } from './suite/run-bench.js';
export { reconnectStorm, STORM_CI, STORM_FULL, type StormCut, type StormReport, type StormScale } from './faults/reconnect-storm.js';
export { SCENARIOS } from './scenarios/index.js';
export type { RunRecord, Scenario } from './suite/scenario.js';
