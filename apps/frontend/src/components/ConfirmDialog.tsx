import { type ReactNode, useState } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';

import { ErrorMessage } from './ErrorMessage';

interface ConfirmDialogProps {
  isOpen: boolean;
  onOpenChange: (isOpen: boolean) => void;
  title: string;
  children: ReactNode;
  /** Label of the button that does the action, such as "Drop seattle_weather". */
  confirmLabel: string;
  /** Does the action. The dialog closes when it resolves and shows the error when it rejects. */
  onConfirm: () => Promise<void>;
  /** Context of a failure, such as "Dropping the table failed". */
  failureContext: string;
}

/**
 * Asks before a destructive action in a modal alert dialog. The focus starts
 * on Cancel and Escape cancels, so a stray Enter does no harm.
 */
export function ConfirmDialog({
  isOpen,
  onOpenChange,
  title,
  children,
  confirmLabel,
  onConfirm,
  failureContext,
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(null);

    try {
      await onConfirm();
      onOpenChange(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const changeOpen = (open: boolean): void => {
    if (!busy) {
      setError(null);
      onOpenChange(open);
    }
  };

  return (
    <ModalOverlay isOpen={isOpen} onOpenChange={changeOpen} isDismissable={!busy}>
      <Modal>
        <Dialog role="alertdialog">
          <Heading slot="title">{title}</Heading>
          {children}
          <ErrorMessage error={error} context={failureContext} />
          <div className="dialog-actions">
            <Button className="secondary" autoFocus onPress={() => changeOpen(false)}>
              Cancel
            </Button>
            <Button className="danger" isPending={busy} onPress={() => void confirm()}>
              {busy ? 'Working…' : confirmLabel}
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
