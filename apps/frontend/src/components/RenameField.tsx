import { type FormEvent, useEffect, useState } from 'react';
import { Button, Form, Input, Label, TextField } from 'react-aria-components';

import { ErrorMessage } from './ErrorMessage';

interface RenameFieldProps {
  label: string;
  value: string;
  /** Saves the new name, already trimmed; a rejection is shown under the field. */
  onSave: (name: string) => Promise<void>;
  /** Shows a Cancel button, which Escape presses too; for a field that opens on demand. */
  onCancel?: () => void;
  autoFocus?: boolean;
}

/** Renders a name in a text field with a Rename button; Enter saves. */
export function RenameField({ label, value, onSave, onCancel, autoFocus }: RenameFieldProps) {
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const unchanged = draft.trim() === value || draft.trim() === '';

  useEffect(() => setDraft(value), [value]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();

    if (unchanged || saving) {
      return;
    }

    setSaving(true);
    setError(null);

    try {
      await onSave(draft.trim());
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form className="inline-form" onSubmit={(event) => void submit(event)}>
      <TextField
        value={draft}
        onChange={setDraft}
        isRequired
        autoFocus={autoFocus}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && onCancel !== undefined) {
            onCancel();
          } else {
            event.continuePropagation();
          }
        }}
      >
        <Label>{label}</Label>
        <Input />
      </TextField>
      <Button type="submit" isDisabled={unchanged} isPending={saving}>
        {saving ? 'Renaming…' : 'Rename'}
      </Button>
      {onCancel === undefined ? null : (
        <Button className="secondary" onPress={onCancel}>
          Cancel
        </Button>
      )}
      <ErrorMessage
        error={error}
        context="Renaming failed"
        hints={{ 409: 'Choose another name: the name is taken.' }}
      />
    </Form>
  );
}
