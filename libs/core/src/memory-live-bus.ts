import type { MemoryEventLog } from './memory-event-log.js';
import type { MemoryPresenceStore } from './memory-presence-store.js';
import type { LiveBus, LiveBusListener, LiveNotification } from './ports.js';

/** How a notification travels: the default hands it over on the next microtask, in order. */
export type Transmit = (notification: LiveNotification, deliver: (n: LiveNotification) => void) => void;

const inOrder: Transmit = (n, deliver) => queueMicrotask(() => deliver(n));

/**
 * A LiveBus over a MemoryEventLog. `transmit` decides how each notification travels, so tests can
 * make the live path drop, repeat or reorder messages the way real pub/sub may.
 */
export class MemoryLiveBus implements LiveBus {
  private listener: LiveBusListener | undefined;
  private readonly channels = new Set<string>();
  private readonly globs = new Set<string>();

  constructor(
    log: MemoryEventLog,
    private readonly transmit: Transmit = inOrder,
    presence?: MemoryPresenceStore,
  ) {
    log.onAppend((n) => {
      if (this.watches(n.channel)) this.transmit(n, (m) => this.listener?.notify(m));
    });
    presence?.onChange((change) => {
      if (this.watches(change.channel)) queueMicrotask(() => this.listener?.presenceChanged(change));
    });
  }

  setListener(listener: LiveBusListener): void {
    this.listener = listener;
  }

  async watchChannel(channel: string): Promise<void> {
    this.channels.add(channel);
  }

  async unwatchChannel(channel: string): Promise<void> {
    this.channels.delete(channel);
  }

  async watchGlob(glob: string): Promise<void> {
    this.globs.add(glob);
  }

  async unwatchGlob(glob: string): Promise<void> {
    this.globs.delete(glob);
  }

  /** Tells the hub the live path was interrupted since `sinceMs`, as a reconnect would. */
  interrupt(sinceMs: number): void {
    this.listener?.resync(sinceMs);
  }

  private watches(channel: string): boolean {
    if (this.channels.has(channel)) return true;
    for (const glob of this.globs) if (globMatches(glob, channel)) return true;
    return false;
  }
}

/** The globs patternGlob() makes: literal text, then possibly one trailing '*'. */
function globMatches(glob: string, channel: string): boolean {
  return glob.endsWith('*') ? channel.startsWith(glob.slice(0, -1)) : channel === glob;
}
