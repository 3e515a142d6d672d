import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout; credentials never reach them. */
export function createLogger(options: { level: string; name: string; nodeId?: string }): Logger {
  return pino({
    level: options.level,
    name: options.name,
    base: options.nodeId === undefined ? { pid: process.pid } : { pid: process.pid, node: options.nodeId },
    redact: { paths: ['req.headers.authorization', '*.token', '*.password', 'token', 'password'], censor: '[redacted]' },
  });
}

/** A URL fit for logs: token= and key= query values replaced (EventSource must put tokens there). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|key|access_token)=)[^&#]*/gi, '$1[redacted]');
}
