export * from './ports.js';
export { ChannelFeed, type FeedListener } from './channel-feed.js';
export { Hub, type HubObserver, type HubOptions, type PatternWatcher } from './hub.js';
export { Subscription, type SubscriptionOptions, type SubscriptionSink } from './subscription.js';
export { MemoryEventLog } from './memory-event-log.js';
export { MemoryLiveBus, type Transmit } from './memory-live-bus.js';
export { MemoryReceiptStore } from './memory-receipt-store.js';
export { receiptTransition, type ReceiptTransition } from './receipt-transition.js';
export { MemoryPresenceStore } from './memory-presence-store.js';
