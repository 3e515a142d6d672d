// Tidings as it is in this checkout: a redis-server and one or more edge processes on free ports
// (anonymous mode, default settings otherwise), all subscribers on one channel. Several edges
// share one Redis, each on its own port; the bench publishes through the first.
import { type EdgeProcess, startEdge, startRedisServer } from '@tidings/testing';
import { BENCH_CHANNEL, type ServerUnderTest } from './server-under-test.js';

export async function startTidings(options: { readonly edges: number; readonly edgeArgs?: readonly string[] }): Promise<ServerUnderTest> {
  const redis = await startRedisServer();
  const args = [...(options.edgeArgs ?? [])];
  const started = await Promise.allSettled(Array.from({ length: options.edges }, () => startEdge({ redisUrl: redis.url, args })));
  const edges: EdgeProcess[] = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(edges.map((edge) => edge.stop()));
    await redis.stop();
    throw failure.reason;
  }
  const first = edges[0]!;
  return {
    kind: 'tidings',
    description: `${edges.length} edge process(es), anonymous, defaults${args.length > 0 ? ` but ${args.join(' ')}` : ''}; redis-server on its own`,
    targets: edges.map((edge) => ({ host: '127.0.0.1', port: edge.port })),
    subscribePath: (transport) => (transport === 'sse' ? `/v1/sse?channel=${BENCH_CHANNEL}` : '/v1/ws'),
    wsSubscribe: JSON.stringify({ type: 'subscribe', channel: BENCH_CHANNEL }),
    publishTargets: [{ host: '127.0.0.1', port: first.port, path: `/v1/channels/${BENCH_CHANNEL}/events` }],
    publishBody: (data) => ({ body: JSON.stringify({ data }), contentType: 'application/json' }),
    serverPids: () => edges.map((edge) => edge.pid),
    redisPid: redis.pid,
    stop: async () => {
      await Promise.all(edges.map((edge) => edge.stop()));
      await redis.stop();
    },
  };
}
