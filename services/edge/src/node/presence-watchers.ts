import type { PresenceChange } from '@tidings/core';

export interface PresenceListener {
  presenceChanged(change: PresenceChange): void;
}

/** Connections that asked for join and leave events (`presence=1`), per exact channel. */
export class PresenceWatchers {
  private readonly byChannel = new Map<string, Set<PresenceListener>>();

  /** Until the returned function is called. */
  add(channels: readonly string[], listener: PresenceListener): () => void {
    for (const channel of channels) {
      let listeners = this.byChannel.get(channel);
      if (!listeners) this.byChannel.set(channel, (listeners = new Set()));
      listeners.add(listener);
    }
    return () => {
      for (const channel of channels) {
        const listeners = this.byChannel.get(channel);
        listeners?.delete(listener);
        if (listeners?.size === 0) this.byChannel.delete(channel);
      }
    };
  }

  notify(change: PresenceChange): void {
    for (const listener of this.byChannel.get(change.channel) ?? []) listener.presenceChanged(change);
  }
}
