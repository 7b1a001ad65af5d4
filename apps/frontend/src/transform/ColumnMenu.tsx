import { type FormEvent, useState } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Popover } from 'react-aria-components';

import { type CastOptions, COLUMN_TYPES, type ColumnType } from '@rokks/transform';

import { Field } from '../components/Field';
import { type ColumnSettings, describeCastOptions, splitList } from './steps';

interface ColumnMenuProps {
  column: string;
  /** The column's type in the preview. */
  type: string;
  settings: ColumnSettings;
  /** Other readings of the column that profiling found. */
  alternatives: readonly { type: ColumnType; castOptions?: CastOptions }[];
  ambiguous: boolean;
  onApply: (settings: ColumnSettings) => void;
}

/**
 * Renders a column header that opens the column's settings: type, format, time
 * zone and null markers, and the other readings profiling found. Applying
 * writes the column's cast and nulls steps.
 */
export function ColumnMenu({
  column,
  type,
  settings,
  alternatives,
  ambiguous,
  onApply,
}: ColumnMenuProps) {
  return (
    <DialogTrigger>
      <Button className="column-menu-button" aria-label={`${column} (${type}): column settings`}>
        {column} <span className="type">{type}</span>
        {ambiguous ? (
          <span className="flag" aria-hidden="true">
            {' '}
            ?
          </span>
        ) : null}{' '}
        <span aria-hidden="true">▾</span>
      </Button>
      <Popover placement="bottom start" className="column-menu">
        <Dialog aria-label={`Settings of column ${column}`}>
          {({ close }) => (
            <ColumnSettingsForm
              column={column}
              settings={settings}
              alternatives={alternatives}
              ambiguous={ambiguous}
              onApply={(next) => {
                onApply(next);
                close();
              }}
              onCancel={close}
            />
          )}
        </Dialog>
      </Popover>
    </DialogTrigger>
  );
}

function ColumnSettingsForm({
  column,
  settings,
  alternatives,
  ambiguous,
  onApply,
  onCancel,
}: Omit<ColumnMenuProps, 'type'> & { onCancel: () => void }) {
  const [type, setType] = useState<ColumnType>(settings.type);
  const [format, setFormat] = useState(settings.options.format ?? '');
  const [timezone, setTimezone] = useState(settings.options.timezone ?? '');
  const [nullValues, setNullValues] = useState(settings.nullValues.join(', '));

  const submit = (event: FormEvent): void => {
    event.preventDefault();

    // Options the form does not show (separators, boolean words) carry over.
    const { format: _format, timezone: _timezone, ...others } = settings.options;

    onApply({
      type,
      options: {
        ...others,
        ...(format.trim() === '' ? {} : { format: format.trim() }),
        ...(timezone.trim() === '' ? {} : { timezone: timezone.trim() }),
      },
      nullValues: splitList(nullValues),
    });
  };

  return (
    <form onSubmit={submit} className="column-settings">
      <Heading slot="title">Column {column}</Heading>
      {alternatives.length === 0 ? null : (
        <div className="alternatives">
          <p>
            {ambiguous ? 'The values fit more than one reading. ' : null}
            Other readings:
          </p>
          <ul>
            {alternatives.map((alternative) => {
              const options = describeCastOptions(alternative.castOptions ?? {});
              const name = `${alternative.type}${options === '' ? '' : ` (${options})`}`;

              return (
                <li key={name}>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() =>
                      onApply({
                        type: alternative.type,
                        options: alternative.castOptions ?? {},
                        nullValues: splitList(nullValues),
                      })
                    }
                  >
                    Read as {name}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <Field label="Column type">
        {(id) => (
          <select
            id={id}
            value={type}
            onChange={(event) => setType(event.target.value as ColumnType)}
          >
            {COLUMN_TYPES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Column format">
        {(id) => (
          <input
            id={id}
            value={format}
            onChange={(event) => setFormat(event.target.value)}
            placeholder="dd/MM/yyyy, epoch_ms"
          />
        )}
      </Field>
      <Field label="Column time zone">
        {(id) => (
          <input
            id={id}
            value={timezone}
            onChange={(event) => setTimezone(event.target.value)}
            placeholder="UTC, America/New_York"
          />
        )}
      </Field>
      <Field label="Null markers (comma-separated)">
        {(id) => (
          <input
            id={id}
            value={nullValues}
            onChange={(event) => setNullValues(event.target.value)}
            placeholder="NA, N/A, -"
          />
        )}
      </Field>
      <div className="form-actions">
        <button type="submit">Apply to {column}</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
