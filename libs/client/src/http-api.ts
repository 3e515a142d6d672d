// The request/response endpoints: publish and receipts. Every failure becomes a TidingsClientError.
import type { Endpoint, QueryParams } from './endpoint.js';
import { errorFromResponse, isRecord, parseJson, TidingsClientError } from './tidings-client-error.js';
import { bearer, type TokenSource } from './transport.js';
import type { AckOptions, FetchLike, PresenceSnapshot, PublishOptions, PublishResult, ReceiptsPage } from './types.js';

export class HttpApi {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly fetch: FetchLike,
    private readonly device: string | undefined,
    private readonly token: TokenSource | undefined,
  ) {}

  async publish(channel: string, data: unknown, opts: PublishOptions = {}): Promise<PublishResult> {
    const body: Record<string, unknown> = { data };
    if (opts.event !== undefined) body.event = opts.event;
    if (opts.ack !== undefined) body.ack = opts.ack;
    if (opts.idempotencyKey !== undefined) body.idempotencyKey = opts.idempotencyKey;
    const res = await this.post(this.endpoint.channelPath(channel, 'events'), body);
    const json = parseJson(await readText(res));
    if (!isRecord(json) || typeof json.id !== 'string' || typeof json.channel !== 'string') {
      throw TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'A publish answer needs string `id` and `channel`.', { status: res.status });
    }
    return { id: json.id, channel: json.channel };
  }

  async ack(channel: string, id: string, opts: AckOptions = {}): Promise<void> {
    if (this.device === undefined) throw TidingsClientError.of('TIDINGS_CLIENT_NO_DEVICE');
    const body: Record<string, unknown> = { device: this.device, status: opts.status ?? 'received' };
    if (opts.detail !== undefined) body.detail = opts.detail;
    const res = await this.post(this.endpoint.channelPath(channel, 'events', id, 'receipts'), body);
    await readText(res);
  }

  async receipts(channel: string, id: string, page: { limit?: number; after?: string }): Promise<ReceiptsPage> {
    const query: [string, string][] = [];
    if (page.limit !== undefined) query.push(['limit', String(page.limit)]);
    if (page.after !== undefined) query.push(['after', page.after]);
    const res = await this.request('GET', this.endpoint.channelPath(channel, 'events', id, 'receipts'), undefined, undefined, query);
    const json = parseJson(await readText(res));
    if (!isRecord(json) || !Array.isArray(json.devices) || typeof json.expected !== 'number') {
      throw TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'A receipts answer needs `expected` and `devices`.');
    }
    return json as unknown as ReceiptsPage;
  }

  async presence(channel: string): Promise<PresenceSnapshot> {
    const json = await this.json('GET', this.endpoint.channelPath(channel, 'presence'));
    if (!isRecord(json) || typeof json.online !== 'number' || !Array.isArray(json.devices)) {
      throw TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'A presence answer needs `online` and `devices`.');
    }
    return json as unknown as PresenceSnapshot;
  }

  /** A JSON request to `path` (under the base URL) answered with JSON: the parsed answer, or a TidingsClientError. */
  async json(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const res = await this.request(method, path, body, signal);
    return parseJson(await readText(res));
  }

  private post(path: string, body: unknown): Promise<Response> {
    return this.request('POST', path, body);
  }

  private async request(method: string, path: string, body: unknown, signal?: AbortSignal, query: QueryParams = []): Promise<Response> {
    const url = this.endpoint.http(path, query);
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: await bearer(this.token) } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (cause) {
      throw TidingsClientError.of('TIDINGS_CLIENT_NETWORK', `${method} ${url}: ${describe(cause)}`, { cause });
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }
}

async function readText(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch (cause) {
    throw TidingsClientError.of('TIDINGS_CLIENT_NETWORK', 'The answer was cut off.', { status: res.status, cause });
  }
}

/** The deepest cause's message: fetch's own ("fetch failed") names no reason, its cause does. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e.cause instanceof Error ? describe(e.cause) : e.message;
}
