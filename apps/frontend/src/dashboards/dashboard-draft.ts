import { useCallback, useState } from 'react';

import { session } from '../api/session';
import { type Dashboard, normalizeDashboard } from './dashboard-store';

/** An unsaved version of a dashboard and the saved version it started from. */
export interface DashboardDraft {
  baseVersion: number;
  data: Dashboard;
}

const PREFIX = 'rokks.dashboard-draft.';

/** Returns the storage key of a draft, per signed-in user, so people who share a browser keep their own drafts. */
function key(dashboardId: string): string {
  const state = session.getState();
  const userId = state.status === 'signed-in' ? state.user.id : 'signed-out';

  return `${PREFIX}${userId}.${dashboardId}`;
}

/** Reads the draft of a dashboard from local storage, or null when there is none or it is unreadable. */
export function readDraft(dashboardId: string): DashboardDraft | null {
  try {
    const text = window.localStorage.getItem(key(dashboardId));

    if (text === null) {
      return null;
    }

    const parsed = JSON.parse(text) as { baseVersion?: unknown; data?: unknown };

    return typeof parsed.baseVersion === 'number'
      ? { baseVersion: parsed.baseVersion, data: normalizeDashboard(parsed.data) }
      : null;
  } catch {
    return null;
  }
}

/** Stores the draft, or removes it with null. Returns false when the browser refused (storage full or disabled). */
export function writeDraft(dashboardId: string, draft: DashboardDraft | null): boolean {
  try {
    if (draft === null) {
      window.localStorage.removeItem(key(dashboardId));
    } else {
      window.localStorage.setItem(key(dashboardId), JSON.stringify(draft));
    }

    return true;
  } catch {
    return false;
  }
}

/** Returns whether this browser stores an unsaved draft of the dashboard. */
export function hasDraft(dashboardId: string): boolean {
  return readDraft(dashboardId) !== null;
}

/**
 * Keeps a dashboard's draft in React state and in local storage, so unsaved
 * changes survive a reload. `stored` is false when the browser refused to
 * keep it.
 */
export function useDashboardDraft(dashboardId: string) {
  const [draft, setDraftState] = useState<DashboardDraft | null>(() => readDraft(dashboardId));
  const [stored, setStored] = useState(true);

  const setDraft = useCallback(
    (next: DashboardDraft | null) => {
      setDraftState(next);
      setStored(writeDraft(dashboardId, next));
    },
    [dashboardId],
  );

  return { draft, setDraft, stored };
}
