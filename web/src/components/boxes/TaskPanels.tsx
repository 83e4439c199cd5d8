// The right-hand panels of the labeling screen for multi-label and box
// projects (and the pieces the polygon panel shares). Like the single-label panel they mirror the commands: each row
// runs the command of its key, so a button cannot do what the key does not.
import type { ComponentChildren } from 'preact';
import type { Category } from '../../api/types';
import { keyCaps } from '../../state/keys';
import { commandById, type LabelCommand } from '../../state/labelActions';
import type { BoxEditor } from '../../state/boxEditor';
import { categoryColor } from './boxDraw';
import './boxes.css';

export function Key({ command }: { command: LabelCommand | undefined }) {
  const combo = command?.keys[0];
  return combo ? <kbd>{keyCaps(combo).join('+')}</kbd> : null;
}

export function CategoryRows({
  categories,
  commands,
  prefix,
  isOn,
  isMarked,
  disabled,
}: {
  categories: readonly Category[];
  commands: readonly LabelCommand[];
  prefix: 'toggle' | 'boxcat';
  isOn: (id: number) => boolean;
  isMarked?: (id: number) => boolean;
  disabled: boolean;
}) {
  const byCat = new Map(commands.filter((c) => c.id.startsWith(`${prefix}:`)).map((c) => [c.categoryId, c]));
  return (
    <ul class="label-list">
      {categories
        .filter((c) => c.state !== 'deleted')
        .map((c) => {
          const cmd = byCat.get(c.id);
          const key = cmd?.keys[0];
          const on = isOn(c.id);
          const cls = ['label-btn', on ? 'label-on' : '', isMarked?.(c.id) ? 'label-new-cat' : ''].filter(Boolean).join(' ');
          return (
            <li key={c.id}>
              <button
                type="button"
                tabIndex={-1}
                class={cls}
                role={prefix === 'toggle' ? 'checkbox' : undefined}
                aria-checked={prefix === 'toggle' ? on : undefined}
                aria-pressed={prefix === 'boxcat' ? on : undefined}
                disabled={c.state !== 'active' || disabled}
                data-category-id={c.id}
                onClick={() => cmd?.run()}
              >
                <kbd class={key ? '' : 'kbd-none'} style={prefix === 'boxcat' ? { borderColor: categoryColor(c.id) } : undefined}>
                  {key ?? '·'}
                </kbd>
                <span class="label-name">{c.name}</span>
                {c.state === 'disabled' && <span class="muted small">disabled</span>}
              </button>
            </li>
          );
        })}
    </ul>
  );
}

export function Panel({ title, status, children }: { title: string; status: string | null; children: ComponentChildren }) {
  return (
    <aside class="label-panel" aria-label="Labels">
      <div class="label-panel-head">
        <span>{title}</span>
        {status && (
          <span class={`status-pill status-${status}`} data-testid="current-status">
            {status.replace('_', ' ')}
          </span>
        )}
      </div>
      {children}
    </aside>
  );
}

/** Multi-label: the checklist of the keys 1..9, "None of these", and Save. */
export function MultiLabelChecklist({
  categories,
  commands,
  checked,
  none,
  status,
  saved,
}: {
  categories: readonly Category[];
  commands: readonly LabelCommand[];
  /** The checked categories (the draft of this image). */
  checked: readonly number[];
  /** The saved answer is "none of these". */
  none: boolean;
  status: string | null;
  /** The draft equals the saved answer. */
  saved: boolean;
}) {
  const noneCmd = commandById(commands, 'none');
  const save = commandById(commands, 'save');
  const skip = commandById(commands, 'skip');
  const help = commandById(commands, 'help');
  return (
    <Panel title="Labels (any number)" status={status}>
      <CategoryRows categories={categories} commands={commands} prefix="toggle" isOn={(id) => checked.includes(id)} disabled={!status} />
      <button
        type="button"
        tabIndex={-1}
        class={none ? 'label-btn label-on none-answer' : 'label-btn none-answer'}
        aria-pressed={none}
        data-testid="none-of-these"
        disabled={!status}
        onClick={() => noneCmd?.run()}
      >
        <Key command={noneCmd} />
        <span class="label-name">None of these</span>
      </button>
      <p class="muted small" data-testid="draft-state">
        {saved ? 'Saved.' : 'Not saved yet: press Enter to save and go on.'}
      </p>
      <div class="label-actions">
        <button type="button" tabIndex={-1} class="btn btn-sm btn-primary" disabled={!status} onClick={() => save?.run()}>
          <Key command={save} /> Save, next
        </button>
        <button type="button" tabIndex={-1} class="btn btn-sm" disabled={!status} onClick={() => skip?.run()}>
          <Key command={skip} /> Skip
        </button>
        <button type="button" tabIndex={-1} class="btn btn-sm btn-ghost" onClick={() => help?.run()}>
          <Key command={help} /> Shortcuts
        </button>
      </div>
    </Panel>
  );
}

/** Boxes: the category for new boxes, the selected box, and the box commands. */
export function BoxPanel({
  categories,
  commands,
  editor,
  status,
  noObjects,
}: {
  categories: readonly Category[];
  commands: readonly LabelCommand[];
  editor: BoxEditor;
  status: string | null;
  /** The saved answer is "no objects". */
  noObjects: boolean;
}) {
  const sel = editor.selected.value ? editor.boxes.value.find((b) => b.id === editor.selected.value) : undefined;
  const count = editor.boxes.value.length;
  const newCat = editor.newCategory.value;
  const run = (id: Parameters<typeof commandById>[1]) => () => commandById(commands, id)?.run();
  const name = (id: number) => categories.find((c) => c.id === id)?.name ?? `#${id}`;
  return (
    <Panel title="Boxes" status={status}>
      <p class="muted small">Drag on the image to draw a box of the highlighted category; 1–9 change it.</p>
      <CategoryRows
        categories={categories}
        commands={commands}
        prefix="boxcat"
        isOn={(id) => (sel ? sel.category_id === id : false)}
        isMarked={(id) => id === newCat}
        disabled={!status}
      />
      <p class="small" data-testid="box-count">
        {count === 0 ? (noObjects ? 'No objects (saved as an answer).' : 'No boxes yet.') : `${count} box${count === 1 ? '' : 'es'}`}
        {editor.hidden.value && ' · hidden'}
      </p>
      {sel && (
        <p class="small box-panel-selected mono" data-testid="selected-box" data-bbox={sel.bbox.join(',')} data-category-id={sel.category_id}>
          {name(sel.category_id)} · {sel.bbox.map((v) => Math.round(v)).join(', ')}
        </p>
      )}
      <div class="label-actions">
        <button type="button" tabIndex={-1} class="btn btn-sm" disabled={!sel} onClick={run('deleteBox')}>
          <Key command={commandById(commands, 'deleteBox')} /> Delete
        </button>
        <button type="button" tabIndex={-1} class="btn btn-sm" disabled={!editor.canUndo.value} onClick={run('undo')}>
          <Key command={commandById(commands, 'undo')} /> Undo
        </button>
        <button type="button" tabIndex={-1} class="btn btn-sm" onClick={run('hideBoxes')}>
          <Key command={commandById(commands, 'hideBoxes')} /> {editor.hidden.value ? 'Show' : 'Hide'}
        </button>
        <button type="button" tabIndex={-1} class="btn btn-sm" disabled={!status || count > 0} onClick={run('noObjects')}>
          <Key command={commandById(commands, 'noObjects')} /> No objects
        </button>
        <button type="button" tabIndex={-1} class="btn btn-sm btn-ghost" onClick={run('help')}>
          <Key command={commandById(commands, 'help')} /> Shortcuts
        </button>
      </div>
    </Panel>
  );
}
