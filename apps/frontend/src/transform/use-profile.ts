import { useEffect, useState } from 'react';

import { ApiError } from '../api/api-error';
import { apiEvents } from '../api/client';
import { type ProfileSchema } from '../api/types';

export interface ProfileState {
  progress: { bytesRead: number; rowsRead: number } | null;
  schema: ProfileSchema | null;
  /** The first raw rows, keyed by column name. */
  rows: Record<string, unknown>[];
  done: boolean;
  error: unknown;
}

const INITIAL: ProfileState = { progress: null, schema: null, rows: [], done: false, error: null };

/** Streams the live profile of an uploaded file from `GET /api/transform/files/{id}/profile`. */
export function useProfile(fileId: string | null): ProfileState {
  const [state, setState] = useState<ProfileState>(INITIAL);

  useEffect(() => {
    setState(INITIAL);

    if (fileId === null) {
      return;
    }

    const controller = new AbortController();

    const run = async (): Promise<void> => {
      try {
        for await (const event of apiEvents(
          `/api/transform/files/${encodeURIComponent(fileId)}/profile`,
          controller.signal,
        )) {
          const data = JSON.parse(event.data) as Record<string, unknown>;

          switch (event.event) {
            case 'progress':
              setState((current) => ({ ...current, progress: data as ProfileState['progress'] }));
              break;
            case 'schema':
              setState((current) => ({ ...current, schema: data as unknown as ProfileSchema }));
              break;
            case 'rows':
              setState((current) => ({ ...current, rows: data.rows as Record<string, unknown>[] }));
              break;
            case 'done':
              setState((current) => ({ ...current, done: true }));

              return;
            case 'error':
              setState((current) => ({
                ...current,
                error: new ApiError(
                  (data.statusCode as number | undefined) ?? 500,
                  String(data.message),
                ),
              }));

              return;
            default:
              break;
          }
        }

        setState((current) =>
          current.done
            ? current
            : {
                ...current,
                error: new ApiError(0, 'The profile stream ended before the profile was complete.'),
              },
        );
      } catch (error) {
        if (!controller.signal.aborted) {
          setState((current) => ({ ...current, error }));
        }
      }
    };

    void run();

    return () => controller.abort();
  }, [fileId]);

  return state;
}
