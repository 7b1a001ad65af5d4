import { type ReactElement, type ReactNode, useId } from 'react';

/**
 * Renders a label and its control, tied by id. The label does not wrap the control,
 * because a wrapped select would add its selected option to its own name.
 */
export function Field({
  label,
  children,
}: {
  label: ReactNode;
  children: (id: string) => ReactElement;
}) {
  const id = useId();

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
