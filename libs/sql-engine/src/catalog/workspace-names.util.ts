import { fnv1a32Hex } from '@rokks/naming';

import { SqlEngineError } from '../errors/sql-engine.exception';
import { type WorkspaceInfo } from './catalog.types';

/** Workspace ids: lower-case ASCII letters, digits and `_`, starting with a letter, at most 40 characters. */
export const WORKSPACE_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

export function assertWorkspace(workspace: unknown): asserts workspace is string {
  if (typeof workspace !== 'string' || !WORKSPACE_PATTERN.test(workspace)) {
    throw new SqlEngineError(
      'INVALID_INPUT',
      `invalid workspace ${JSON.stringify(workspace)}: use 1 to 40 lower-case letters, digits or _ starting with a letter`,
      { value: workspace },
    );
  }
}

/**
 * Schema and role names of a workspace. Roles belong to the whole PostgreSQL
 * cluster, so the role name carries a hash of the database name: two
 * databases on one server never share a workspace role.
 */
export function workspaceNames(workspace: string, databaseName: string): WorkspaceInfo {
  assertWorkspace(workspace);

  return {
    workspace,
    viewSchema: `ws_${workspace}`,
    dataSchema: `wsd_${workspace}`,
    role: `rokks_${fnv1a32Hex(databaseName)}_${workspace}`,
  };
}
