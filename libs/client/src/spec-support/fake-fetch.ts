// A fetch double whose responses the test writes while the client reads them.
import type { FetchLike } from '../types.js';

export interface FetchCall {
  readonly url: string;
  readonly init: RequestInit | undefined;
  /** Ends the request with a response (a JSON body, text or a stream the test feeds). */
  respond(response: Response): void;
  /** Fails the request like a refused connection. */
  fail(error?: Error): void;
  readonly aborted: boolean;
  header(name: string): string | undefined;
}

export class FakeFetch {
  readonly calls: FetchCall[] = [];

  readonly fetch: FetchLike = (url, init) =>
    new Promise<Response>((resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      const headers = new Headers(init?.headers);
      this.calls.push({
        url,
        init,
        respond: resolve,
        fail: (error) => reject(error ?? new TypeError('fetch failed')),
        get aborted() {
          return init?.signal?.aborted ?? false;
        },
        header: (name) => headers.get(name) ?? undefined,
      });
    });

  last(): FetchCall {
    const call = this.calls.at(-1);
    if (!call) throw new Error('fetch was not called');
    return call;
  }
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A streaming text/event-stream response; write() and end() feed it, abort errors it. */
export function sseResponse(signal?: AbortSignal | null): { response: Response; write(text: string): void; end(): void; break(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  let open = true;
  signal?.addEventListener('abort', () => {
    if (open) controller.error(new DOMException('aborted', 'AbortError'));
    open = false;
  });
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    write: (text) => controller.enqueue(encoder.encode(text)),
    end: () => {
      open = false;
      controller.close();
    },
    break: () => {
      open = false;
      controller.error(new TypeError('terminated'));
    },
  };
}
