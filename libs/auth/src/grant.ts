import { matchesPattern, patternCovers, type Subscription } from '@tidings/protocol';

/** What a request may do, as its credentials say. */
export interface Grant {
  readonly kind: 'anonymous' | 'token' | 'key';
  /** Channels and patterns it may subscribe to (and read history and presence of). */
  readonly subscribe: readonly string[];
  /** Channels and patterns it may publish on (and read receipts of). */
  readonly publish: readonly string[];
  /** Channels and patterns whose consumer groups it may manage and consume from. */
  readonly consume: readonly string[];
  /** The device a token speaks for: its `sub`. */
  readonly device?: string;
  /** When a token stops being valid, ms since the epoch. */
  readonly expiresAt?: number;
  /** Which API key, for logs. */
  readonly keyId?: string;
  /**
   * Whose budget a request spends (publish rate, connections): `sub:<device>`, `key:<id>`, or for
   * a token without a sub a digest of the token itself. Anonymous requests have none.
   */
  readonly principal?: string;
}

/** Anonymous mode: everything, for development. */
export const ANONYMOUS: Grant = { kind: 'anonymous', subscribe: ['#'], publish: ['#'], consume: ['#'] };

export function maySubscribe(grant: Grant, requested: Subscription): boolean {
  const target = requested.kind === 'channel' ? requested.channel : requested.pattern;
  return grant.subscribe.some((granted) => patternCovers(granted, target));
}

export function mayPublish(grant: Grant, channel: string): boolean {
  return grant.publish.some((granted) => matchesPattern(granted, channel));
}

export function mayConsume(grant: Grant, channel: string): boolean {
  return grant.consume.some((granted) => matchesPattern(granted, channel));
}
