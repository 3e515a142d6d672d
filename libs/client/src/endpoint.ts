// URLs of one edge (or the load balancer in front of the cluster), from the base URL the user gave.

export type QueryParams = readonly (readonly [string, string])[];

export class Endpoint {
  private readonly base: URL;

  constructor(url: string) {
    // A relative base ('/' or '') only makes sense in a page; resolve it against the page.
    const page = (globalThis as { location?: { href?: string } }).location?.href;
    this.base = new URL(url, page);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new TypeError(`Tidings url must be http(s), got ${this.base.protocol}`);
    }
  }

  http(path: string, query: QueryParams = []): string {
    return this.build(path, query).toString();
  }

  ws(path: string, query: QueryParams = []): string {
    const url = this.build(path, query);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  /** `/v1/channels/{channel}/events` with the channel as one path segment. */
  channelPath(channel: string, ...rest: string[]): string {
    return ['/v1/channels', encodeURIComponent(channel), ...rest.map(encodeURIComponent)].join('/');
  }

  private build(path: string, query: QueryParams): URL {
    const url = new URL(this.base.href);
    url.pathname = url.pathname.replace(/\/+$/, '') + path;
    url.search = '';
    url.hash = '';
    const params = new URLSearchParams();
    for (const [key, value] of query) params.append(key, value);
    const search = params.toString();
    if (search) url.search = search;
    return url;
  }
}

/** `channel=a&channel=b` plus the device, the query every subscribing endpoint takes. */
export function subscriptionQuery(channels: readonly string[], device: string | undefined): [string, string][] {
  const query: [string, string][] = channels.map((c) => ['channel', c]);
  if (device !== undefined) query.push(['device', device]);
  return query;
}
