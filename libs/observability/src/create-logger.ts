import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import { redactUrl } from './redact-url.js';

export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly level: string;
  /** The process role (`edge`, `worker`); modules add `{ module }` with `logger.child()`. */
  readonly name: string;
  readonly nodeId?: string;
  /** Where JSON lines go; stdout (synchronously, so nothing is lost on exit) when absent. */
  readonly destination?: DestinationStream;
}

/** Field paths whose values never reach a log line, at the top level or one object down. */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'token',
  '*.token',
  'password',
  '*.password',
];

/**
 * One JSON object per line: `level` as a label, ISO `time`, `name`, `node`, `msg`. Credentials
 * are removed on the way out: the paths above, and query tokens in any `url` / `req.url` field.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      name: options.name,
      base: { pid: process.pid, ...(options.nodeId === undefined ? {} : { node: options.nodeId }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      serializers: {
        err: pino.stdSerializers.err,
        url: (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url),
        req: redactRequestUrl,
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

function redactRequestUrl(req: unknown): unknown {
  if (req === null || typeof req !== 'object' || !('url' in req) || typeof req.url !== 'string') return req;
  return { ...req, url: redactUrl(req.url) };
}
