import { useState } from 'react';
import { Button } from 'react-aria-components';

import { apiBlob } from '../api/client';
import { ErrorMessage } from './ErrorMessage';

/**
 * Downloads a load's rejects file: a CSV of the rejected rows with their
 * row numbers and reasons. It is a blob of the doc gateway, read with the
 * session's token, so a plain link cannot fetch it.
 */
export function RejectsDownload({ fileId, table }: { fileId: string; table: string }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const download = async (): Promise<void> => {
    setBusy(true);
    setError(null);

    try {
      const blob = await apiBlob(`/api/doc/blobs/uploads/${encodeURIComponent(fileId)}`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');

      link.href = url;
      link.download = `${table}-rejects.csv`;
      link.click();
      // The browser reads the URL after this task, so it is released a little later.
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button className="secondary" isPending={busy} onPress={() => void download()}>
        {busy ? 'Downloading…' : 'Download the rejected rows (CSV)'}
      </Button>
      <ErrorMessage error={error} context="The rejects file could not be read" />
    </>
  );
}
