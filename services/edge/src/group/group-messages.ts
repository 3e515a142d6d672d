import type { MetricsSnapshot } from '@tidings/observability';

// The IPC protocol between the supervisor of `tidings edge --processes N` and its members. Both
// ends are this code, but a message is still read as untrusted data: a member may be another build
// during a rolling upgrade, and a shape error must be a logged drop, not a crash.

/** Member → supervisor. */
export type MemberMessage =
  /** Listening on the group's port and serving. */
  | { readonly type: 'ready'; readonly port: number }
  /** A /metrics request arrived here: please send the whole group's. */
  | { readonly type: 'scrape'; readonly id: number }
  /** This member's metrics, for the supervisor's `collect` of the same id. */
  | { readonly type: 'snapshot'; readonly id: number; readonly metrics: MetricsSnapshot };

/** Supervisor → member. */
export type SupervisorMessage =
  /** Hand in your metrics for scrape `id`. */
  | { readonly type: 'collect'; readonly id: number }
  /** The group's metrics for your scrape `id`, as Prometheus text. */
  | { readonly type: 'scraped'; readonly id: number; readonly text: string }
  | { readonly type: 'scrape-failed'; readonly id: number; readonly reason: string };

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields => value !== null && typeof value === 'object' && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** A member's message, or undefined when `value` is not one. */
export function readMemberMessage(value: unknown): MemberMessage | undefined {
  if (!isFields(value)) return undefined;
  const { type, id } = value;
  if (type === 'ready') return isCount(value['port']) ? { type, port: value['port'] } : undefined;
  if (!isCount(id)) return undefined;
  if (type === 'scrape') return { type, id };
  // A snapshot's entries are prom-client's own format; the aggregator checks them.
  if (type === 'snapshot') return Array.isArray(value['metrics']) ? { type, id, metrics: value['metrics'] as MetricsSnapshot } : undefined;
  return undefined;
}

/** The supervisor's message, or undefined when `value` is not one. */
export function readSupervisorMessage(value: unknown): SupervisorMessage | undefined {
  if (!isFields(value) || !isCount(value['id'])) return undefined;
  const { type, id } = value;
  if (type === 'collect') return { type, id };
  if (type === 'scraped') return typeof value['text'] === 'string' ? { type, id, text: value['text'] } : undefined;
  if (type === 'scrape-failed') return typeof value['reason'] === 'string' ? { type, id, reason: value['reason'] } : undefined;
  return undefined;
}
