import { createServer } from 'node:http';

/** What an ops listener answers with: the Prometheus exposition and the readiness of the process. */
export interface OpsEndpoints {
  /** The Prometheus text exposition. */
  metrics(): Promise<string>;
  readonly contentType: string;
  /** The /readyz body; `ready: false` answers 503 (draining, store down, members missing). */
  readiness(): { readonly ready: boolean } & Record<string, unknown>;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

const NOT_FOUND = '{"error":{"code":"TIDINGS_NOT_FOUND","message":"try /metrics, /healthz or /readyz"}}';

/**
 * A plain HTTP listener for /metrics, /healthz and /readyz, apart from the public one, so that a
 * scrape never has to be exposed where clients connect. `port` 0 picks a free one.
 */
export function startOpsServer(host: string, port: number, endpoints: OpsEndpoints): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' }).end('{"error":{"code":"TIDINGS_METHOD_NOT_ALLOWED","message":"use GET"}}');
    } else if (path === '/metrics') {
      endpoints.metrics().then(
        (text) => res.writeHead(200, { 'content-type': endpoints.contentType }).end(text),
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'TIDINGS_UNAVAILABLE', message } }));
        },
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const body = endpoints.readiness();
      res.writeHead(body.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(NOT_FOUND);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive scrapers would hold close() open until their sockets time out.
            server.closeAllConnections();
          }),
      });
    });
  });
}
