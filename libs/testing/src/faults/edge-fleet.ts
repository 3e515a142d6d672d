import { type EdgeProcess, startEdge } from '../edge-process.js';
import { TcpBalancer } from './tcp-balancer.js';

/** Edges on one Redis behind a balancer: what a fault scenario breaks and watches recover. */
export interface EdgeFleet {
  readonly balancer: TcpBalancer;
  readonly edges: EdgeProcess[];
  /** SIGKILL edge `i` and start a new one in its place (the balancer skips it while it is down). */
  crashAndReplace(i: number): Promise<void>;
  /** SIGTERM edge `i` (a drain) and start a new one in its place. */
  drainAndReplace(i: number): Promise<void>;
  /** Starts `count` more edges and puts them behind the balancer. */
  scaleOut(count: number): Promise<void>;
  /** Takes edge `i` out of the balancer, drains it with SIGTERM and forgets it. */
  scaleIn(i: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startEdgeFleet(redisUrl: string, count: number, args: readonly string[] = []): Promise<EdgeFleet> {
  const edges = await Promise.all(Array.from({ length: count }, () => startEdge({ redisUrl, args })));
  const balancer = await TcpBalancer.start(edges.map((e) => e.port));
  // A replacement gets a port of its own: the old one may meanwhile be the local end of some
  // client's connection (loopback ports come from the same range), as on any real host.
  const replace = async (i: number) => {
    edges[i] = await startEdge({ redisUrl, args });
    balancer.setBackends(edges.map((e) => e.port));
  };
  return {
    balancer,
    edges,
    crashAndReplace: async (i) => {
      edges[i]!.kill9();
      await edges[i]!.exited;
      await replace(i);
    },
    drainAndReplace: async (i) => {
      await edges[i]!.stop();
      await replace(i);
    },
    scaleOut: async (count) => {
      edges.push(...(await Promise.all(Array.from({ length: count }, () => startEdge({ redisUrl, args })))));
      balancer.setBackends(edges.map((e) => e.port));
    },
    scaleIn: async (i) => {
      const [leaving] = edges.splice(i, 1);
      balancer.setBackends(edges.map((e) => e.port));
      await leaving?.stop();
    },
    stop: async () => {
      await balancer.stop();
      await Promise.all(edges.map((e) => e.stop()));
    },
  };
}
