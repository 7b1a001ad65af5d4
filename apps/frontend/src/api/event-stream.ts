/** One server-sent event: its name (`message` when the stream gives none) and its data lines joined. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body into events, following the HTML
 * standard's rules: lines end in LF, CRLF or CR, a blank line ends an event,
 * lines starting with a colon are comments, and `id` and `retry` are ignored.
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];

  try {
    for (;;) {
      const { value, done } = await reader.read();

      if (done) {
        return;
      }

      buffer += decoder.decode(value, { stream: true });

      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);

        // A trailing CR may be the first half of a CRLF still in flight.
        if (match === null || (match[0] === '\r' && match.index === buffer.length - 1)) {
          break;
        }

        const line = buffer.slice(0, match.index);

        buffer = buffer.slice(match.index + match[0].length);

        if (line === '') {
          if (data.length > 0) {
            yield { event: event === '' ? 'message' : event, data: data.join('\n') };
          }

          event = '';
          data = [];
          continue;
        }

        if (line.startsWith(':')) {
          continue;
        }

        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const rawValue = colon === -1 ? '' : line.slice(colon + 1);
        const fieldValue = rawValue.startsWith(' ') ? rawValue.slice(1) : rawValue;

        if (field === 'event') {
          event = fieldValue;
        } else if (field === 'data') {
          data.push(fieldValue);
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}
