import {
  Button,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
} from 'react-aria-components';

interface SelectFieldProps<T extends string> {
  label: string;
  options: readonly { id: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
  isDisabled?: boolean;
  /** Keeps the label for screen readers only, for a select in a table row whose column header names it. */
  hideLabel?: boolean;
}

/** Renders a labelled single-choice list (React Aria's Select) over string values. */
export function SelectField<T extends string>({
  label,
  options,
  value,
  onChange,
  isDisabled,
  hideLabel,
}: SelectFieldProps<T>) {
  return (
    <Select
      value={value}
      isDisabled={isDisabled}
      onChange={(key) => {
        // Every option's id is one of `options`, so the key is a T.
        if (key !== null) {
          onChange(String(key) as T);
        }
      }}
    >
      <Label className={hideLabel === true ? 'visually-hidden' : undefined}>{label}</Label>
      <Button>
        <SelectValue />
        <span aria-hidden="true"> ▾</span>
      </Button>
      <Popover>
        <ListBox>
          {options.map((option) => (
            <ListBoxItem key={option.id} id={option.id}>
              {option.label}
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </Select>
  );
}
