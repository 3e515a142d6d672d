import type { EdgeProcess } from '@tidings/testing';

/** Publishes one JSON event over HTTP and returns its id (asserting the 201). */
export async function publish(edge: EdgeProcess, channel: string, data: unknown, event?: string): Promise<string> {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event === undefined ? { data } : { event, data }),
  });
  if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function publishMany(edge: EdgeProcess, channel: string, count: number, tag = ''): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await publish(edge, channel, `${tag}${i}`));
  return ids;
}

/** The stream ids inside SSE envelopes. */
export const envelopeIds = (events: readonly { data: string }[]): string[] => events.map((e) => (JSON.parse(e.data) as { id: string }).id);

export const wsUrl = (edge: EdgeProcess): string => `${edge.url.replace(/^http/, 'ws')}/v1/ws`;
