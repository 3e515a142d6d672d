import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from './create-logger.js';

function capture(options: Omit<LoggerOptions, 'destination'> = { level: 'info', name: 'edge', nodeId: 'n1' }) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ ...options, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level label, time, name, node and msg', () => {
    const { logger, lines } = capture();
    logger.info({ port: 8080 }, 'listening');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', name: 'edge', node: 'n1', pid: process.pid, port: 8080, msg: 'listening' });
    expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
  });

  it('leaves out the node when none is given', () => {
    const { logger, lines } = capture({ level: 'info', name: 'worker' });
    logger.info('up');
    expect(lines[0]).not.toHaveProperty('node');
  });

  it('honours the level, including silent', () => {
    const info = capture();
    info.logger.debug('hidden');
    info.logger.warn('shown');
    expect(info.lines.map((l) => l.msg)).toEqual(['shown']);
    const silent = capture({ level: 'silent', name: 'edge' });
    silent.logger.fatal('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('redacts authorization headers, cookies, tokens and passwords', () => {
    const { logger, lines } = capture();
    logger.info(
      { req: { method: 'GET', headers: { authorization: 'Bearer abc', cookie: 's=1', accept: '*/*' } }, token: 't', auth: { token: 'u' }, redis: { password: 'p' } },
      'request',
    );
    expect(lines[0]).toMatchObject({
      req: { method: 'GET', headers: { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' } },
      token: '[redacted]',
      auth: { token: '[redacted]' },
      redis: { password: '[redacted]' },
    });
  });

  it('redacts query tokens in url and req.url', () => {
    const { logger, lines } = capture();
    logger.info({ url: '/v1/sse?channel=a&token=secret', req: { url: '/v1/ws?key=k1' } }, 'opened');
    expect(lines[0]).toMatchObject({ url: '/v1/sse?channel=a&token=[redacted]', req: { url: '/v1/ws?key=[redacted]' } });
  });

  it('keeps redaction and fields in child loggers', () => {
    const { logger, lines } = capture();
    logger.child({ module: 'sse' }).info({ token: 'x' }, 'child');
    expect(lines[0]).toMatchObject({ module: 'sse', node: 'n1', token: '[redacted]', msg: 'child' });
  });

  it('serializes errors with type, message and stack', () => {
    const { logger, lines } = capture();
    logger.error({ err: new TypeError('boom') }, 'failed');
    expect(lines[0]).toMatchObject({ err: { type: 'TypeError', message: 'boom' } });
    expect(String((lines[0]!.err as { stack: string }).stack)).toContain('TypeError: boom');
  });
});
