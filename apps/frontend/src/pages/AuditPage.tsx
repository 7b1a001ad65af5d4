import { type FormEvent, useEffect, useState } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';

import { apiJson } from '../api/client';
import { type AuditEntry, type AuditPage as AuditPageBody, type ManagedUser } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { formatTime } from '../components/format-time';

const PAGE_SIZE = 50;

interface AuditFilters {
  actor: string;
  action: string;
  /** A `datetime-local` value in the browser's time zone, or empty. */
  since: string;
}

const NO_FILTERS: AuditFilters = { actor: '', action: '', since: '' };

/** Builds the query of `GET /api/audit`. Empty filters are left out because the API rejects empty values. */
function auditQuery(filters: AuditFilters, cursor: string | null): string {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });

  if (filters.actor.trim() !== '') {
    query.set('actor', filters.actor.trim());
  }

  if (filters.action.trim() !== '') {
    query.set('action', filters.action.trim());
  }

  if (filters.since !== '') {
    query.set('since', new Date(filters.since).toISOString());
  }

  if (cursor !== null) {
    query.set('cursor', cursor);
  }

  return query.toString();
}

/**
 * Writes an entry's details as `key: value` lines, leaving out null values,
 * with nested objects and lists as JSON.
 */
export function formatDetails(details: unknown): string {
  if (details === null || details === undefined) {
    return '–';
  }

  if (typeof details !== 'object' || Array.isArray(details)) {
    return JSON.stringify(details);
  }

  const lines = Object.entries(details as Record<string, unknown>)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

  return lines.length === 0 ? '–' : lines.join('\n');
}

/** Shows the audit log (admins only), newest first, with filters and paging by cursor. */
export function AuditPage() {
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [emails, setEmails] = useState<ReadonlyMap<string, string>>(new Map());

  // Entries name users by id; the page shows their e-mail where the user list has it.
  useEffect(() => {
    const controller = new AbortController();

    apiJson<ManagedUser[]>('/auth/users', { signal: controller.signal })
      .then((users) => setEmails(new Map(users.map((user) => [user.id, user.email]))))
      .catch(() => {
        // Without the list the page shows the ids, which the filter also takes.
      });

    return () => controller.abort();
  }, []);

  useEffect(() => {
    const controller = new AbortController();

    setEntries(null);
    setNextCursor(null);
    setError(null);
    apiJson<AuditPageBody>(`/api/audit?${auditQuery(filters, null)}`, {
      signal: controller.signal,
    })
      .then((page) => {
        setEntries(page.entries);
        setNextCursor(page.nextCursor);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      });

    return () => controller.abort();
  }, [filters]);

  const loadMore = async (): Promise<void> => {
    if (nextCursor === null) {
      return;
    }

    setLoadingMore(true);
    setError(null);

    try {
      const page = await apiJson<AuditPageBody>(`/api/audit?${auditQuery(filters, nextCursor)}`);

      setEntries((previous) => [...(previous ?? []), ...page.entries]);
      setNextCursor(page.nextCursor);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoadingMore(false);
    }
  };

  const apply = (event: FormEvent): void => {
    event.preventDefault();

    if (loadingMore) {
      return;
    }

    setFilters({ ...draft });
  };

  return (
    <section>
      <h1>Audit log</h1>
      <form className="inline-form" onSubmit={apply} aria-label="Audit filters">
        <TextField value={draft.actor} onChange={(actor) => setDraft({ ...draft, actor })}>
          <Label>Actor</Label>
          <Input placeholder="user id or system:worker" />
        </TextField>
        <TextField value={draft.action} onChange={(action) => setDraft({ ...draft, action })}>
          <Label>Action</Label>
          <Input placeholder="table.created" />
        </TextField>
        <Field label="Since">
          {(id) => (
            <input
              id={id}
              type="datetime-local"
              value={draft.since}
              onChange={(event) => setDraft({ ...draft, since: event.target.value })}
            />
          )}
        </Field>
        {/* Blocked while a page loads, so the page cannot join the list of other filters. */}
        <Button type="submit" isPending={loadingMore}>
          Apply filters
        </Button>
      </form>
      <ErrorMessage error={error} context="Loading the audit log failed" />
      {entries === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <>
          <div className="table-scroll full" tabIndex={0} role="region" aria-label="Audit entries">
            <table data-testid="audit">
              <caption>
                {entries.length === 1 ? '1 entry' : `${entries.length} entries`}
                {nextCursor === null ? '' : ' (more available)'}
              </caption>
              <thead>
                <tr>
                  <th scope="col">At</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.length === 0 ? (
                  <tr>
                    <td colSpan={5}>No entries match the filters.</td>
                  </tr>
                ) : (
                  entries.map((entry) => (
                    <tr key={entry.id}>
                      <td>
                        <time dateTime={entry.at}>{formatTime(entry.at)}</time>
                      </td>
                      <td title={entry.actor}>{emails.get(entry.actor) ?? entry.actor}</td>
                      <th scope="row">{entry.action}</th>
                      <td title={entry.target ?? undefined}>
                        {entry.target === null || entry.target === undefined
                          ? '–'
                          : (emails.get(entry.target) ?? entry.target)}
                      </td>
                      <td className="details">{formatDetails(entry.details)}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          {nextCursor === null ? null : (
            <Button isPending={loadingMore} onPress={() => void loadMore()}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </Button>
          )}
        </>
      )}
    </section>
  );
}
