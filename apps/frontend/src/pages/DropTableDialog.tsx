import { apiJson } from '../api/client';
import { type TableInfo } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';

/** Asks before dropping a table, then sends `DELETE /api/sql/tables/{id}`. */
export function DropTableDialog({
  table,
  isOpen,
  onOpenChange,
  onDropped,
}: {
  table: Pick<TableInfo, 'id' | 'name' | 'rowCount'>;
  isOpen: boolean;
  onOpenChange: (isOpen: boolean) => void;
  onDropped: () => void;
}) {
  return (
    <ConfirmDialog
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      title={`Drop ${table.name}?`}
      confirmLabel={`Drop ${table.name}`}
      failureContext="Dropping the table failed"
      onConfirm={async () => {
        await apiJson<undefined>(`/api/sql/tables/${encodeURIComponent(table.id)}`, {
          method: 'DELETE',
        });
        onDropped();
      }}
    >
      <p>
        This deletes {table.name} and its {table.rowCount.toLocaleString('en')} rows. It cannot be
        undone.
      </p>
    </ConfirmDialog>
  );
}
