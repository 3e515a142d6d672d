import { runWorker } from './run-worker.js';

process.exit(await runWorker(process.argv.slice(2), process.env));
