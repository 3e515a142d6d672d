// Socket.IO 4 as a peer: one or more nodes (bench/peers/socketio-node.mjs) joined by the Redis
// streams adapter on the bench's own redis-server, each on its own free port. Subscribers speak
// Engine.IO 4 over a WebSocket (no polling); the bench publishes through the first node.
import { startRedisServer } from '@tidings/testing';
import { type NodeChild, startNodeChild } from './node-child.js';
import { PEERS_DIR, ensurePeerPackages, peerVersion } from './peer-packages.js';
import type { ServerUnderTest } from './server-under-test.js';

export async function startSocketIo(options: { readonly nodes: number }): Promise<ServerUnderTest> {
  ensurePeerPackages();
  const redis = await startRedisServer();
  const started = await Promise.allSettled(Array.from({ length: options.nodes }, () => startNodeChild(`${PEERS_DIR}socketio-node.mjs`, [redis.url])));
  const nodes: NodeChild[] = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  };
  if (failure !== undefined) {
    await stop();
    throw failure.reason;
  }
  return {
    kind: 'socketio',
    description: `socket.io ${peerVersion('socket.io')} + @socket.io/redis-streams-adapter ${peerVersion('@socket.io/redis-streams-adapter')}; ${nodes.length} node(s), WebSocket transport only; redis-server on its own`,
    targets: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    // "40" joins the default namespace; ready once the open packet and the namespace's answer are in.
    // Engine.IO pings are the text "2", answered "3".
    route: () => ({ transport: 'ws', path: '/socket.io/?EIO=4&transport=websocket', wsSubscribe: '40', wsReadyFrames: 2, wsReplies: [['2', '3']] }),
    transports: ['ws'],
    publishTargets: [{ host: '127.0.0.1', port: nodes[0]!.port }],
    publishRequest: (data) => ({ path: '/publish', body: data, contentType: 'text/plain' }),
    serverPids: () => nodes.map((n) => n.pid),
    redisPids: [redis.pid],
    stop,
  };
}
