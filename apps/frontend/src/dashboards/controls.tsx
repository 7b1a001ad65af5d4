import { type ReactNode } from 'react';
import {
  Button,
  ComboBox,
  Dialog,
  DialogTrigger,
  FieldError,
  Heading,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Modal,
  ModalOverlay,
  Popover,
  Select,
  SelectValue,
  Text,
  TextField,
} from 'react-aria-components';

export interface Option {
  id: string;
  label: string;
}

/** Renders a labelled single-choice list (React Aria Select). A `value` outside `options` shows the placeholder. */
export function SelectField({
  label,
  value,
  options,
  onChange,
  description,
  isDisabled,
  placeholder,
}: {
  label: string;
  value: string;
  options: readonly Option[];
  onChange: (value: string) => void;
  description?: string;
  isDisabled?: boolean;
  placeholder?: string;
}) {
  return (
    <Select
      className="rac-field select-field"
      value={options.some((option) => option.id === value) ? value : null}
      onChange={(key) => {
        if (key !== null) {
          onChange(String(key));
        }
      }}
      isDisabled={isDisabled === true || options.length === 0}
      placeholder={placeholder ?? 'Choose…'}
    >
      <Label>{label}</Label>
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      {description === undefined ? null : <Text slot="description">{description}</Text>}
      <Popover className="rac-popover">
        <ListBox className="rac-listbox" items={options}>
          {(option) => (
            <ListBoxItem className="rac-option" id={option.id} textValue={option.label}>
              {option.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}

/** Renders a labelled text input (React Aria TextField) with its validation message. */
export function TextInputField({
  label,
  value,
  onChange,
  isRequired,
  description,
  autoFocus,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  isRequired?: boolean;
  description?: string;
  autoFocus?: boolean;
}) {
  return (
    <TextField
      className="rac-field"
      value={value}
      onChange={onChange}
      isRequired={isRequired}
      autoFocus={autoFocus}
    >
      <Label>{label}</Label>
      <Input />
      {description === undefined ? null : <Text slot="description">{description}</Text>}
      <FieldError />
    </TextField>
  );
}

/** Renders a labelled choice among many options, filtered as one types (React Aria ComboBox). */
export function SearchSelectField({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: readonly Option[];
  onChange: (value: string) => void;
}) {
  return (
    <ComboBox
      className="rac-field combo-field"
      selectedKey={value}
      onSelectionChange={(key) => {
        if (key !== null) {
          onChange(String(key));
        }
      }}
      defaultItems={options}
      menuTrigger="focus"
    >
      <Label>{label}</Label>
      <div className="combo-input">
        <Input />
        <Button aria-label={`Show ${label.toLowerCase()} choices`}>▾</Button>
      </div>
      <Popover className="rac-popover">
        <ListBox className="rac-listbox">
          {(option: Option) => (
            <ListBoxItem className="rac-option" id={option.id} textValue={option.label}>
              {option.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}

/**
 * Renders a button that opens a modal alert dialog to confirm before it
 * runs `onConfirm`. Escape or Cancel closes the dialog without acting.
 */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  onConfirm,
  className,
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  className?: string;
}) {
  return (
    <DialogTrigger>
      <Button className={className}>{label}</Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal">
          <Dialog role="alertdialog" className="dialog">
            {({ close }) => (
              <>
                <Heading slot="title">{title}</Heading>
                {children}
                <div className="dialog-actions">
                  <Button className="secondary" onPress={close} autoFocus>
                    Cancel
                  </Button>
                  <Button
                    className="danger"
                    onPress={() => {
                      close();
                      onConfirm();
                    }}
                  >
                    {confirmLabel}
                  </Button>
                </div>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}
