export { runWorker } from './run-worker.js';
export { startWorker, type RunningWorker } from './worker.js';
export { SIGNATURE_HEADER, signWebhook, verifyWebhook } from './webhook-signature.js';
