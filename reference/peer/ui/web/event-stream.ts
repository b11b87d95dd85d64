/**
 * `text/event-stream` read from a fetch() body (EventSource cannot send the
 * token header). Follows the SSE line rules: `\n`, `\r\n` or `\r` end a
 * line, `:` starts a comment, `event:` names the message, `data:` lines are
 * joined with `\n`, a blank line dispatches. Each data is parsed as JSON.
 */
import { bridgeFetch } from './bridge-client.ts';
import { BRIDGE_GONE, isAbort, Problem } from './problem.ts';

export interface StreamMessage {
  event: string;
  data: string;
}

/** A line this long without an end is not a stream we understand. */
const MAX_PENDING_CHARS = 4 * 1024 * 1024;

export class EventStreamParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private dataChars = 0;

  constructor(private readonly onMessage: (message: StreamMessage) => void) {}

  /** Feeds decoded text; `final` flushes a trailing `\r`. */
  push(text: string, final = false): void {
    this.buffer += text;
    let start = 0;
    const buffer = this.buffer;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A `\r` at the very end may be the first half of `\r\n`: wait for more.
      if (c === 13 && i + 1 === buffer.length && !final) break;
      this.line(buffer.slice(start, i));
      if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.buffer = buffer.slice(start);
    if (this.buffer.length + this.dataChars > MAX_PENDING_CHARS) throw new Problem('the bridge sent an event too large to read', 'stream_too_large');
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onMessage({ event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      this.dataChars = 0;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') {
      this.data.push(value);
      this.dataChars += value.length;
    }
  }
}

/** Reads the whole body, calling onMessage per event; resolves when the server ends it. */
export async function readEventStream(body: ReadableStream<Uint8Array>, onMessage: (message: StreamMessage) => void): Promise<void> {
  const parser = new EventStreamParser(onMessage);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode(), true);
  } finally {
    reader.releaseLock();
  }
}

/**
 * Opens a /bridge/ stream and hands each event's JSON to onEvent, with the
 * event name as `type` when the JSON has none. Resolves when the stream
 * ends; rejects with a Problem (or an AbortError when `signal` fires).
 */
export async function openBridgeStream(
  path: string,
  init: RequestInit,
  onEvent: (type: string, value: Record<string, unknown>) => void,
  onOpen?: () => void,
): Promise<void> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'text/event-stream');
  const response = await bridgeFetch(path, { ...init, headers });
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('text/event-stream') || !response.body) {
    throw new Problem(`the bridge answered ${path} with ${type || 'no content type'} instead of an event stream`, 'bad_stream');
  }
  onOpen?.();
  try {
    await readEventStream(response.body, ({ event, data }) => {
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        return; // not ours to guess at
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) return;
      const record = value as Record<string, unknown>;
      onEvent(typeof record.type === 'string' ? record.type : event, typeof record.type === 'string' ? record : { ...record, type: event });
    });
  } catch (error) {
    if (isAbort(error) || error instanceof Problem) throw error;
    throw new Problem(BRIDGE_GONE, 'bridge_gone');
  }
}
