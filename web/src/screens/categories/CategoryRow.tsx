import { useEffect, useRef, useState } from 'preact/hooks';
import type { Category } from '../../api/types';

export interface RowDrag {
  onDragStart: (id: number, e: DragEvent) => void;
  onDragOver: (id: number, e: DragEvent) => void;
  onDrop: (id: number, e: DragEvent) => void;
  onDragEnd: () => void;
}

interface Props {
  category: Category;
  hotkey: string | undefined;
  editing: boolean;
  busy: boolean;
  dragging: boolean;
  dropHint: 'above' | 'below' | null;
  drag: RowDrag;
  /** Shown without the controls that change it (the user is not a manager). */
  readOnly?: boolean;
  onStartEdit: (id: number) => void;
  onRename: (id: number, name: string) => Promise<string>;
  onCancelEdit: () => void;
  onToggleState: (c: Category) => void;
  onAskDelete: (c: Category) => void;
  /** Managers: brings a deleted category back, with its id. */
  onRestore?: (c: Category) => void;
  onRowKeyDown: (c: Category, e: KeyboardEvent) => void;
}

const STATE_LABEL: Record<Category['state'], string> = {
  active: 'active',
  disabled: 'disabled',
  deleted: 'deleted',
};

export function CategoryRow(props: Props) {
  const { category: c, editing, drag } = props;
  const deleted = c.state === 'deleted';
  const fixed = deleted || props.readOnly;
  const classes = ['cat-row', `cat-${c.state}`];
  if (props.dragging) classes.push('is-dragging');
  if (props.dropHint) classes.push(`drop-${props.dropHint}`);

  return (
    <tr
      class={classes.join(' ')}
      data-id={c.id}
      data-testid={`category-row-${c.id}`}
      tabIndex={0}
      draggable={!fixed && !editing}
      aria-label={`${c.name}, id ${c.id}, ${c.state}${props.hotkey ? `, hotkey ${props.hotkey}` : ''}`}
      onKeyDown={(e) => props.onRowKeyDown(c, e)}
      onDragStart={(e) => drag.onDragStart(c.id, e)}
      onDragOver={(e) => drag.onDragOver(c.id, e)}
      onDrop={(e) => drag.onDrop(c.id, e)}
      onDragEnd={drag.onDragEnd}
    >
      <td class="col-handle" aria-hidden="true">
        {!fixed && <span class="drag-handle" title="Drag to reorder (or Alt+↑/↓)" />}
      </td>
      <td class="col-key">{props.hotkey ? <kbd>{props.hotkey}</kbd> : null}</td>
      <td class="col-id mono cat-id">#{c.id}</td>
      <td class="col-name">
        {editing ? (
          <RenameInput initial={c.name} onSave={(n) => props.onRename(c.id, n)} onCancel={props.onCancelEdit} />
        ) : (
          <span
            class={fixed ? 'cat-name' : 'cat-name editable'}
            title={fixed ? undefined : 'Click, Enter or F2 to rename'}
            onClick={() => !fixed && props.onStartEdit(c.id)}
          >
            {c.name}
          </span>
        )}
      </td>
      <td class="col-state">
        <span class={`badge badge-${c.state}`}>{STATE_LABEL[c.state]}</span>
      </td>
      <td class="col-actions">
        {deleted && props.onRestore && (
          <button
            type="button"
            class="btn btn-sm"
            disabled={props.busy}
            aria-label={`Restore ${c.name}`}
            onClick={() => props.onRestore?.(c)}
          >
            Restore
          </button>
        )}
        {!fixed && (
          <>
            <button
              type="button"
              class="btn btn-sm"
              disabled={props.busy}
              onClick={() => props.onToggleState(c)}
            >
              {c.state === 'active' ? 'Disable' : 'Enable'}
            </button>
            <button
              type="button"
              class="btn btn-sm btn-danger-ghost"
              disabled={props.busy}
              onClick={() => props.onAskDelete(c)}
            >
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

/** Inline rename: Enter saves, Esc cancels, leaving the field saves a change. */
function RenameInput({
  initial,
  onSave,
  onCancel,
}: {
  initial: string;
  onSave: (name: string) => Promise<string>;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState('');
  const saving = useRef(false);
  const closed = useRef(false);
  const ref = useRef<HTMLInputElement>(null);

  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);

  function cancel() {
    closed.current = true;
    onCancel();
  }

  async function save() {
    if (saving.current || closed.current) return;
    if (value.trim() === initial) {
      cancel();
      return;
    }
    saving.current = true;
    const problem = await onSave(value.trim());
    saving.current = false;
    if (problem) {
      setError(problem);
      ref.current?.focus();
    } else {
      closed.current = true;
    }
  }

  return (
    <div class="rename">
      <input
        ref={ref}
        class="rename-input"
        aria-label="Rename category"
        aria-invalid={error ? 'true' : undefined}
        maxLength={100}
        value={value}
        onInput={(e) => {
          setValue(e.currentTarget.value);
          setError('');
        }}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            cancel();
          }
        }}
        onBlur={() => {
          if (!error && !closed.current) void save();
        }}
      />
      {error && (
        <span class="rename-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
