import { runEdge } from './run-edge.js';

process.exit(await runEdge(process.argv.slice(2), process.env));
