import { ref, type Schema } from './openapi-types.js';

/** Parameters several operations share, referred to as `#/components/parameters/<name>`. */
export const parameters: Record<string, Schema> = {
  channel: {
    name: 'channel',
    in: 'path',
    required: true,
    schema: ref('Channel'),
    description: 'The channel. Its `/` may be sent as `%2F` (`news%2Fuk`) or as is (`news/uk`): channel routes are matched from the end of the path.',
  },
  eventId: { name: 'id', in: 'path', required: true, schema: ref('StreamId') },
  group: { name: 'group', in: 'path', required: true, schema: ref('GroupName') },
  subscribeChannels: {
    name: 'channel',
    in: 'query',
    required: true,
    style: 'form',
    explode: true,
    schema: { type: 'array', minItems: 1, items: ref('Subscription') },
    description: 'Channels and patterns, repeated: `?channel=a&channel=news/+/sport` (at most `--limits-max-channels-per-connection`).',
  },
  device: {
    name: 'device',
    in: 'query',
    schema: ref('Device'),
    description: 'Names the subscriber: it becomes a member of the exact channels (receipts, presence) and resumes where it left off. With a token, it must be the token\'s `sub`.',
  },
};

export const param = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });
