import { type Response } from 'undici';

/** One server-sent event: its name and parsed JSON data. */
export interface ReceivedEvent {
  event: string;
  data: unknown;
}

/** Reads an event stream to its end and parses its events; comments (heartbeats) are skipped. */
export async function readEvents(response: Response): Promise<ReceivedEvent[]> {
  const text = await response.text();
  const events: ReceivedEvent[] = [];

  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));

    if (lines.length === 0) {
      continue;
    }

    const name = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length) ?? 'message';
    const data = lines
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice('data: '.length))
      .join('\n');

    events.push({ event: name, data: JSON.parse(data) as unknown });
  }

  return events;
}
