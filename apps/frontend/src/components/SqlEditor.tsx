import { closeCompletion } from '@codemirror/autocomplete';
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql';
import {
  Compartment,
  EditorState,
  Prec,
  StateEffect,
  StateField,
  type Extension,
} from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

import { sqlErrorRange } from './sql-error-range';

/** Sets (or, with null, clears) the marked range of an error. */
const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();

const errorMark = Decoration.mark({
  class: 'cm-sql-error',
  attributes: { title: 'The error is here' },
});

/** The error mark, cleared by the next edit because it then points at text that changed. */
const errorMarkField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, transaction) {
    let next = transaction.docChanged ? Decoration.none : marks;

    for (const effect of transaction.effects) {
      if (effect.is(setErrorMark)) {
        next =
          effect.value === null
            ? Decoration.none
            : Decoration.set([errorMark.range(effect.value.from, effect.value.to)]);
      }
    }

    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

function sqlLanguage(schema: SQLNamespace | undefined): Extension {
  return sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true });
}

interface SqlEditorProps {
  value: string;
  onChange: (value: string) => void;
  /** Called by Ctrl+Enter (Cmd+Enter on macOS). */
  onRun: () => void;
  /** Id of the element that labels the editor. */
  labelledBy: string;
  /** Id of the element that describes the editor (its help text). */
  describedBy?: string;
  /** Table names with their column names, offered as completions. */
  schema?: Record<string, readonly string[]>;
  /** 1-based character position of the last error, marked in the text; null for none. */
  errorPosition: number | null;
}

/**
 * Renders a CodeMirror 6 editor with PostgreSQL highlighting and completion
 * of keywords, tables and columns. Tab moves the focus on, as in any form,
 * because the editor does not bind it.
 */
export function SqlEditor({
  value,
  onChange,
  onRun,
  labelledBy,
  describedBy,
  schema,
  errorPosition,
}: SqlEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const languageRef = useRef(new Compartment());
  // The editor is created once, so its listeners read the latest callbacks from this ref.
  const callbacksRef = useRef({ onChange, onRun });

  useEffect(() => {
    callbacksRef.current = { onChange, onRun };
  }, [onChange, onRun]);

  useEffect(() => {
    const host = hostRef.current;

    if (host === null) {
      return;
    }

    const attributes: Record<string, string> = { 'aria-labelledby': labelledBy };

    if (describedBy !== undefined) {
      attributes['aria-describedby'] = describedBy;
    }

    const view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: value,
        extensions: [
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-Enter',
                run: (target) => {
                  // The completion list would otherwise stay open over the results.
                  closeCompletion(target);
                  callbacksRef.current.onRun();

                  return true;
                },
              },
            ]),
          ),
          basicSetup,
          languageRef.current.of(sqlLanguage(undefined)),
          errorMarkField,
          EditorView.lineWrapping,
          EditorView.contentAttributes.of(attributes),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) {
              callbacksRef.current.onChange(update.state.doc.toString());
            }
          }),
        ],
      }),
    });

    viewRef.current = view;

    return () => {
      view.destroy();
      viewRef.current = null;
    };
    // The editor is built once; the effects below keep it in step with the props.
  }, []);

  useEffect(() => {
    const view = viewRef.current;

    if (view !== null && view.state.doc.toString() !== value) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    viewRef.current?.dispatch({
      effects: languageRef.current.reconfigure(
        sqlLanguage(schema === undefined ? undefined : toNamespace(schema)),
      ),
    });
  }, [schema]);

  useEffect(() => {
    const view = viewRef.current;

    if (view === null) {
      return;
    }

    const range =
      errorPosition === null ? null : sqlErrorRange(view.state.doc.toString(), errorPosition);

    view.dispatch({
      effects: setErrorMark.of(range),
      ...(range === null ? {} : { selection: { anchor: range.from }, scrollIntoView: true }),
    });
  }, [errorPosition]);

  return <div ref={hostRef} className="sql-editor" />;
}

function toNamespace(schema: Record<string, readonly string[]>): SQLNamespace {
  const namespace: Record<string, string[]> = {};

  for (const [table, columns] of Object.entries(schema)) {
    namespace[table] = [...columns];
  }

  return namespace;
}
