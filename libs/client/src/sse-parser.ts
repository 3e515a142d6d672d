// An event-stream parser following WHATWG HTML §9.2.6 ("Interpreting an event stream"), fed
// decoded text in arbitrary chunks. Used where there is no native EventSource (Node 20).

export interface SseMessage {
  /** The `event:` field, or 'message'. */
  readonly type: string;
  readonly data: string;
  /** The stream's last event id once this event was dispatched (ids persist across events). */
  readonly lastEventId: string;
}

export interface SseParserHandlers {
  message(message: SseMessage): void;
  /** A valid `retry:` field: the server's reconnection time in ms. */
  retry?(ms: number): void;
  /** A comment line (heartbeats). */
  comment?(text: string): void;
  /** A dispatch that only moved the last event id (an `id:` with no `data:`). */
  id?(lastEventId: string): void;
}

const LF = '\n';
const CR = '\r';

export class SseParser {
  private buffer = '';
  private data = '';
  private hasData = false;
  private eventType = '';
  private idBuffer: string;
  private lastId: string;
  private atStreamStart = true;
  private skipLeadingLf = false;

  constructor(
    private readonly handlers: SseParserHandlers,
    lastEventId = '',
  ) {
    this.idBuffer = lastEventId;
    this.lastId = lastEventId;
  }

  get lastEventId(): string {
    return this.lastId;
  }

  /** Starts a new stream (a reconnection): the half-read event is gone, the last event id is kept. */
  restart(): void {
    this.buffer = '';
    this.data = '';
    this.hasData = false;
    this.eventType = '';
    this.idBuffer = this.lastId;
    this.atStreamStart = true;
    this.skipLeadingLf = false;
  }

  feed(chunk: string): void {
    let text = chunk;
    if (this.atStreamStart && text.length > 0) {
      this.atStreamStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR that ended the previous chunk and an LF that starts this one are one line end.
    if (this.skipLeadingLf && text.length > 0) {
      this.skipLeadingLf = false;
      if (text[0] === LF) text = text.slice(1);
    }
    let start = 0;
    const all = this.buffer + text;
    const offset = this.buffer.length;
    for (let i = offset; i < all.length; i++) {
      const ch = all[i];
      if (ch !== CR && ch !== LF) continue;
      this.line(all.slice(start, i));
      if (ch === CR) {
        if (i + 1 < all.length) {
          if (all[i + 1] === LF) i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    this.buffer = all.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line[0] === ':') {
      this.handlers.comment?.(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data += value + LF;
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.handlers.retry?.(Number(value));
        break;
      default:
        // Unknown fields are ignored, as the spec says.
        break;
    }
  }

  private dispatch(): void {
    const idChanged = this.idBuffer !== this.lastId;
    this.lastId = this.idBuffer;
    if (!this.hasData) {
      this.eventType = '';
      if (idChanged) this.handlers.id?.(this.lastId);
      return;
    }
    const data = this.data.endsWith(LF) ? this.data.slice(0, -1) : this.data;
    const type = this.eventType === '' ? 'message' : this.eventType;
    this.data = '';
    this.hasData = false;
    this.eventType = '';
    this.handlers.message({ type, data, lastEventId: this.lastId });
  }
}
