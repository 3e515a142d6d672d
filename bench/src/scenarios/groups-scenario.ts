// groups: a consumer group drains a published backlog over HTTP (claim + ack), as
// `npm run bench:groups` does: claimed+acked events per second, claim and ack latency, CPU.
import { measureGroups } from '../groups/measure-groups.js';
import type { Scenario } from '../suite/scenario.js';
import { recordRun } from './record-run.js';

export const groupsScenario: Scenario = {
  name: 'groups',
  summary: 'a consumer group drains a backlog over HTTP: claimed+acked events per second, claim/ack latency',
  example: 'npm run bench -- groups --consumers 4 --events 50000',
  options: {
    consumers: { kind: 'int', default: 4, min: 1, max: 256, help: 'consumers claiming side by side' },
    events: { kind: 'int', default: 50_000, min: 1, max: 2_000_000, help: 'backlog size' },
    count: { kind: 'int', default: 100, min: 1, max: 1000, help: 'events per claim' },
    edges: { kind: 'int', default: 2, min: 1, max: 16, help: 'edge processes the consumers spread over' },
  },
  async run(options, context) {
    const plan = { consumers: options.int('consumers'), events: options.int('events'), count: options.int('count'), edges: options.int('edges') };
    await recordRun(context, 'tidings', plan, async () => {
      const { description, figures } = await measureGroups(plan, context.log);
      return {
        description,
        figures,
        summary: `${figures.claimedAckedPerSecond} events/s claimed+acked, claim p99 ${figures.claimMs.p99} ms, ack p99 ${figures.ackMs.p99} ms, repeated ${figures.repeated}, pending ${figures.groupAfter.pending}`,
      };
    });
  },
};
