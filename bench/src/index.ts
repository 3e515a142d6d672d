// @tidings/bench: the load generator, for the bench suites built on it.
export * from './loadgen/index.js';
