import { SseClient, startEdge, waitUntil, WsClient } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, wsUrl } from './support.js';

const FAST = ['--presence-ttl-seconds', '2', '--presence-refresh-seconds', '1'];
const cluster = edgesOnRedis(2, (i) => [...FAST, '--node-id', `admin-${'ab'[i]}`]);

interface Connections {
  total: number;
  transports: { sse: number; ws: number; mqtt: number };
  nodes: number;
  channels: Record<string, number>;
}
interface Nodes {
  nodes: { node: string; alive: boolean; connections: { sse: number; ws: number }; lastSeen: number }[];
}

const get = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

describe('admin API', () => {
  it('counts connections and subscriptions per channel across all nodes', async () => {
    const [a, b] = cluster.edges as [(typeof cluster.edges)[0], (typeof cluster.edges)[0]];
    const sse = await SseClient.connect(`${a.url}/v1/sse?channel=admin/x&channel=${encodeURIComponent('admin/#')}`);
    const ws = await WsClient.connect(wsUrl(b));
    ws.send({ type: 'subscribe', channel: 'admin/x' });
    await ws.next((f) => f.type === 'subscribed');
    const expected = { total: 2, transports: { sse: 1, ws: 1, mqtt: 0 }, nodes: 2, channels: { 'admin/x': 2, 'admin/#': 1 } };
    await waitUntil(async () => JSON.stringify(await get<Connections>(`${b.url}/v1/admin/connections`)) === JSON.stringify(expected), 'both nodes to report');
    sse.close();
    ws.close();
    await waitUntil(async () => (await get<Connections>(`${a.url}/v1/admin/connections`)).total === 0, 'the closes to be reported');
  });

  it('lists live nodes; a crashed one shows as not alive, a drained one leaves', async () => {
    const crashed = await startEdge({ redisUrl: cluster.redis.url, args: [...FAST, '--node-id', 'admin-crashed'] });
    const drained = await startEdge({ redisUrl: cluster.redis.url, args: [...FAST, '--node-id', 'admin-drained'] });
    const url = `${cluster.edges[0]!.url}/v1/admin/nodes`;
    await waitUntil(async () => (await get<Nodes>(url)).nodes.filter((n) => n.alive).length === 4, 'four live nodes');
    crashed.kill9();
    await drained.stop();
    await waitUntil(async () => {
      const { nodes } = await get<Nodes>(url);
      return nodes.find((n) => n.node === 'admin-crashed')?.alive === false && !nodes.some((n) => n.node === 'admin-drained');
    }, 'the crashed node to go stale and the drained one to leave', 15_000);
    expect((await get<Nodes>(url)).nodes.filter((n) => n.alive).map((n) => n.node)).toEqual(['admin-a', 'admin-b']);
  });
});
