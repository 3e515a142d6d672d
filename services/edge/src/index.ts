export { startEdge, type RunningEdge } from './edge.js';
export { runEdge } from './run-edge.js';
export { createMemoryEngine, createRedisEngine, deviceLimits, type Engine } from './engine.js';
