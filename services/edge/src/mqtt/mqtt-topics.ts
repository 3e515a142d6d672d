// MQTT topics are Tidings channels, one to one (ADR 14): a topic that is a valid channel is that
// channel, a filter that is a valid channel or pattern is that subscription. Nothing is rewritten.
import { isChannel, isPattern, type Subscription as SubscriptionSpec } from '@tidings/protocol';

/** The subscription a SUBSCRIBE filter names, or undefined when it is no channel or pattern. */
export function filterSpec(filter: string): SubscriptionSpec | undefined {
  if (isChannel(filter)) return { kind: 'channel', channel: filter };
  if (isPattern(filter)) return { kind: 'pattern', pattern: filter };
  return undefined;
}

/** The channel a PUBLISH topic names, or undefined (wildcards, empty levels, other characters). */
export function topicChannel(topic: string): string | undefined {
  return isChannel(topic) ? topic : undefined;
}
