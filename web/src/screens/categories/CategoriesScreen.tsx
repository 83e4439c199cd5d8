import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { categories as categoriesApi } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import type { Category } from '../../api/types';
import { FormError } from '../../components/FormError';
import { KeyHelp } from '../../components/KeyHelp';
import { canManage } from '../../lib/roles';
import { location, navigate } from '../../router';
import { categoriesPath, parseCategoriesQuery, type ProjectTabProps } from '../../routes';
import { createCategoryStore } from '../../state/categories';
import { hotkeyMap, moveByStep, moveOnto } from '../../state/categoryOrder';
import { CATEGORY_ROW_COMMANDS, findCommand, type CategoryRowCommandId } from '../../state/keys';
import { showError, showToast } from '../../state/toasts';
import { CategoryRow, type RowDrag } from './CategoryRow';
import { DeleteCategoryDialog } from './DeleteCategoryDialog';

export function CategoriesScreen({ project }: ProjectTabProps) {
  const store = useMemo(() => createCategoryStore(project.id, { onError: showError }), [project.id]);
  const list = store.list.value;
  const keys = useMemo(() => hotkeyMap(list), [list]);
  const manage = canManage(project);

  const [newName, setNewName] = useState('');
  const [addError, setAddError] = useState('');
  const [adding, setAdding] = useState(false);
  const [editingId, setEditingId] = useState<number | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [toDelete, setToDelete] = useState<Category | null>(null);
  const [dragId, setDragId] = useState<number | null>(null);
  const [overId, setOverId] = useState<number | null>(null);
  const dragRef = useRef<number | null>(null);
  const focusAfter = useRef<number | null>(null);
  const tbodyRef = useRef<HTMLTableSectionElement>(null);

  // "Show deleted" lives in the URL (?include_deleted=true) so a reload keeps it.
  useEffect(() => {
    const wanted = parseCategoriesQuery(location.value.search).includeDeleted;
    if (wanted) void store.setIncludeDeleted(true);
    else void store.load();
  }, [store]);

  function toggleDeleted(on: boolean) {
    navigate(categoriesPath(project.id, on), { replace: true });
    void store.setIncludeDeleted(on);
  }

  // Re-focus a row after it moved or left edit mode (moving a DOM node blurs it).
  useEffect(() => {
    const id = focusAfter.current;
    if (id === null) return;
    focusAfter.current = null;
    focusRow(id);
  });

  function focusRow(id: number) {
    tbodyRef.current?.querySelector<HTMLElement>(`tr[data-id="${id}"]`)?.focus();
  }

  async function onAdd(e: Event) {
    e.preventDefault();
    if (adding) return;
    const name = newName.trim();
    if (!name) {
      setAddError('Type a name for the new category.');
      return;
    }
    setAdding(true);
    setAddError('');
    try {
      await store.add(name);
      setNewName('');
    } catch (err) {
      setAddError(errorMessage(err));
    } finally {
      setAdding(false);
    }
  }

  async function onRename(id: number, name: string): Promise<string> {
    if (!name) return 'A category needs a name.';
    try {
      await store.rename(id, name);
      setEditingId(null);
      focusAfter.current = id;
      return '';
    } catch (err) {
      return errorMessage(err);
    }
  }

  function cancelEdit() {
    const id = editingId;
    setEditingId(null);
    focusAfter.current = id;
  }

  async function onToggleState(c: Category) {
    setBusyId(c.id);
    try {
      await store.setState(c.id, c.state === 'active' ? 'disabled' : 'active');
    } catch (err) {
      showError(`Could not change “${c.name}”: ${errorMessage(err)}`);
    } finally {
      setBusyId(null);
    }
  }

  // A deleted category comes back with its id, last in the order (a reload shows where).
  async function onRestore(c: Category) {
    setBusyId(c.id);
    try {
      await categoriesApi.restore(project.id, c.id);
      await store.load();
      showToast(`Restored “${c.name}” (#${c.id}).`);
    } catch (err) {
      showError(`Could not restore “${c.name}”: ${errorMessage(err)}`);
    } finally {
      setBusyId(null);
    }
  }

  function reorderTo(next: Category[] | null, focusId: number) {
    if (!next) return;
    focusAfter.current = focusId;
    void store.reorder(next);
  }

  const rowActions: Record<CategoryRowCommandId, (c: Category) => void> = {
    moveUp: (c) => reorderTo(moveByStep(store.list.value, c.id, -1), c.id),
    moveDown: (c) => reorderTo(moveByStep(store.list.value, c.id, 1), c.id),
    focusPrev: (c) => focusNeighbour(c.id, -1),
    focusNext: (c) => focusNeighbour(c.id, 1),
    rename: (c) => c.state !== 'deleted' && setEditingId(c.id),
    delete: (c) => c.state !== 'deleted' && setToDelete(c),
  };

  function focusNeighbour(id: number, step: -1 | 1) {
    const rows = store.list.value;
    const next = rows[rows.findIndex((r) => r.id === id) + step];
    if (next) focusRow(next.id);
  }

  function onRowKeyDown(c: Category, e: KeyboardEvent) {
    if (e.target !== e.currentTarget) return; // keys typed in the row's inputs and buttons
    const command = findCommand(CATEGORY_ROW_COMMANDS, e);
    if (!command) return;
    e.preventDefault();
    rowActions[command.id](c);
  }

  const drag: RowDrag = {
    onDragStart(id, e) {
      dragRef.current = id;
      setDragId(id);
      if (e.dataTransfer) {
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', String(id));
      }
    },
    onDragOver(id, e) {
      if (dragRef.current === null) return;
      const target = store.list.value.find((r) => r.id === id);
      if (!target || target.state === 'deleted') return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
      if (overId !== id) setOverId(id);
    },
    onDrop(id, e) {
      e.preventDefault();
      const from = dragRef.current;
      dragRef.current = null;
      setDragId(null);
      setOverId(null);
      if (from !== null) reorderTo(moveOnto(store.list.value, from, id), from);
    },
    onDragEnd() {
      dragRef.current = null;
      setDragId(null);
      setOverId(null);
    },
  };

  function dropHint(id: number): 'above' | 'below' | null {
    if (dragId === null || overId !== id || dragId === id) return null;
    const from = list.findIndex((r) => r.id === dragId);
    const to = list.findIndex((r) => r.id === id);
    return from > to ? 'above' : 'below';
  }

  const counts = useMemo(() => {
    const n = { active: 0, disabled: 0, deleted: 0 };
    for (const c of list) n[c.state]++;
    return n;
  }, [list]);

  return (
    <section class="categories" aria-label="Categories">
      <div class="toolbar">
        {!manage && <p class="muted small">Only a manager of this project changes its categories.</p>}
        {manage && (
          <form class="inline-form" onSubmit={onAdd} aria-label="Add category">
            <input
              name="category-name"
              class="input-wide"
              placeholder="New category name, then Enter"
              aria-label="New category name"
              maxLength={100}
              value={newName}
              onInput={(e) => {
                setNewName(e.currentTarget.value);
                setAddError('');
              }}
            />
            <button type="submit" class="btn btn-primary" disabled={adding}>
              Add
            </button>
          </form>
        )}
        <div class="toolbar-right">
          <span class="muted small" aria-live="polite">
            {counts.active} active · {counts.disabled} disabled
            {store.includeDeleted.value ? ` · ${counts.deleted} deleted` : ''}
          </span>
          <label class="check">
            <input
              type="checkbox"
              name="show-deleted"
              checked={store.includeDeleted.value}
              onChange={(e) => toggleDeleted(e.currentTarget.checked)}
            />
            Show deleted
          </label>
        </div>
      </div>
      <FormError message={addError} />

      {store.loadError.value && (
        <div class="notice notice-error" role="alert">
          {store.loadError.value}{' '}
          <button type="button" class="btn btn-sm" onClick={() => void store.load()}>
            Retry
          </button>
        </div>
      )}

      <table class="table cat-table" aria-label="Categories in display order">
        <thead>
          <tr>
            <th class="col-handle">
              <span class="sr-only">Reorder</span>
            </th>
            <th class="col-key" title="Hotkey while labeling">
              Key
            </th>
            <th class="col-id" title="Immutable id used in exports">
              ID
            </th>
            <th class="col-name">Name</th>
            <th class="col-state">State</th>
            <th class="col-actions">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody ref={tbodyRef}>
          {list.map((c) => (
            <CategoryRow
              key={c.id}
              category={c}
              hotkey={keys.get(c.id)}
              editing={editingId === c.id}
              busy={busyId === c.id}
              dragging={dragId === c.id}
              dropHint={dropHint(c.id)}
              drag={drag}
              readOnly={!manage}
              onStartEdit={setEditingId}
              onRename={onRename}
              onCancelEdit={cancelEdit}
              onToggleState={(x) => void onToggleState(x)}
              onAskDelete={setToDelete}
              onRestore={manage ? (x) => void onRestore(x) : undefined}
              onRowKeyDown={manage ? onRowKeyDown : () => undefined}
            />
          ))}
          {!store.loading.value && !store.loadError.value && list.length === 0 && (
            <tr>
              <td colSpan={6} class="empty">
                No categories yet. Add the first one above; it gets id #1, and ids never change.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {store.loading.value && <p class="muted small">Loading…</p>}

      <div class="help muted small">
        <p>
          Drag a row by its handle to change the display order. Keys 1–9 go to the first nine active categories
          while labeling. Ids never change and are never reused; exports use them, not the display order.
        </p>
        <KeyHelp commands={CATEGORY_ROW_COMMANDS} />
      </div>

      {toDelete && (
        <DeleteCategoryDialog
          category={toDelete}
          onDelete={async () => {
            await store.remove(toDelete.id);
            showToast(`Deleted “${toDelete.name}” (#${toDelete.id}).`);
            setToDelete(null);
          }}
          onClose={() => {
            const id = toDelete.id;
            setToDelete(null);
            focusAfter.current = id;
          }}
        />
      )}
    </section>
  );
}
