import { useCallback, useEffect, useState } from 'react';

import { apiJson } from '../api/client';
import { type TableInfo } from '../api/types';

/** Loads `GET /api/sql/tables`; `reload` fetches it again. */
export function useTables(): { tables: TableInfo[] | null; error: unknown; reload: () => void } {
  const [tables, setTables] = useState<TableInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();

    apiJson<TableInfo[]>('/api/sql/tables', { signal: controller.signal }).then(
      (loaded) => {
        setTables([...loaded].sort((a, b) => a.name.localeCompare(b.name)));
        setError(null);
      },
      (caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      },
    );

    return () => controller.abort();
  }, [generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  return { tables, error, reload };
}
