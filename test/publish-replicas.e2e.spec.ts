import { CI_SCALE, clusterMasterKill, type EdgeProcess, redisCommand, type RedisServer, startEdge, startRedisServer, waitUntil } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { history } from './support.js';

// --publish-replicas N: a 201 only once N replicas have the event (WAIT on a connection of the
// publish's own), a 503 "not known to be replicated" otherwise, and a retry with the same
// idempotency key writes nothing twice.

const startReplicaOf = async (master: RedisServer): Promise<RedisServer> => {
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  await waitUntil(async () => String(await redisCommand(replica.port, 'INFO', ['replication'])).includes('master_link_status:up'), 'the replica to sync');
  return replica;
};

const publishKeyed = (edge: EdgeProcess, key: string) =>
  fetch(`${edge.url}/v1/channels/durable/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: key, idempotencyKey: key }) });

describe('publishes that must reach a replica', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let edge: EdgeProcess;

  beforeAll(async () => {
    master = await startRedisServer();
    replica = await startReplicaOf(master);
    edge = await startEdge({ redisUrl: master.url, args: ['--publish-replicas', '1', '--publish-replica-timeout-ms', '300'] });
  });

  afterAll(async () => {
    await edge?.stop();
    await replica?.stop();
    await master?.stop();
  });

  it('are answered 201 once a replica has them, 503 "not known to be replicated" without one, and a retry with the key is safe', async () => {
    const first = await publishKeyed(edge, 'first');
    expect(first.status).toBe(201);

    replica.kill9();
    const refused = await publishKeyed(edge, 'second');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'TIDINGS_UNAVAILABLE', message: expect.stringMatching(/not known to be replicated/) } });
    // The master has it: a subscriber may already have seen it, which is why a 503 here means "not known", not "not stored".
    const stored = (await history(edge, 'durable')) as { id: string; data: string }[];
    expect(stored.map((e) => e.data)).toEqual(['first', 'second']);

    replica = await startReplicaOf(master);
    // The new replica confirms within the timeout once it acknowledges the master's offset (on a
    // busy machine, maybe not at the first retry): every retry is answered 503 or 200, never written twice.
    let retried = await publishKeyed(edge, 'second');
    await waitUntil(async () => {
      if (retried.status === 200) return true;
      expect(retried.status).toBe(503);
      retried = await publishKeyed(edge, 'second');
      return false;
    }, 'a retry to be confirmed by the new replica');
    expect(await retried.json()).toMatchObject({ id: stored[1]!.id, duplicate: true });
    expect(((await history(edge, 'durable')) as unknown[]).length).toBe(2); // written once
  });
});

describe('a Redis Cluster master killed under load, with --publish-replicas 1', () => {
  it('delivers every event that got a 201', async () => {
    const report = await clusterMasterKill(CI_SCALE, ['--publish-replicas', '1']);
    console.info(JSON.stringify({ scenario: report.scenario, published: report.published, missing: report.missing, refused: report.refused, maxRecoveryMs: report.maxRecoveryMs }));
    expect(report).toMatchObject({ published: CI_SCALE.publishers * CI_SCALE.eventsPerPublisher, missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
  }, 120_000);
});
