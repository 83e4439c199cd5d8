// The labeling screen's panel for polygon projects: the category for new
// objects, the ring being drawn, the selected object, and the polygon
// commands. Each button runs the command of its key.
import type { Category } from '../../api/types';
import { commandById, type LabelCommand, type LabelCommandId } from '../../state/labelActions';
import type { PolygonEditor } from '../../state/polygonEditor';
import { CategoryRows, Key, Panel } from '../boxes/TaskPanels';

export function PolygonPanel({
  categories,
  commands,
  editor,
  status,
  noObjects,
}: {
  categories: readonly Category[];
  commands: readonly LabelCommand[];
  editor: PolygonEditor;
  status: string | null;
  /** The saved answer is "no objects". */
  noObjects: boolean;
}) {
  const objects = editor.objects.value;
  const sel = editor.selected.value ? objects.find((o) => o.id === editor.selected.value) : undefined;
  const drawing = editor.drawing.value;
  const count = objects.length;
  const run = (id: LabelCommandId) => () => commandById(commands, id)?.run();
  const button = (id: LabelCommandId, text: string, disabled = false) => (
    <button type="button" tabIndex={-1} class="btn btn-sm" disabled={disabled} onClick={run(id)}>
      <Key command={commandById(commands, id)} /> {text}
    </button>
  );
  const name = (id: number) => categories.find((c) => c.id === id)?.name ?? `#${id}`;
  const points = sel ? sel.polygons.reduce((n, r) => n + r.length / 2, 0) : 0;
  return (
    <Panel title="Polygons" status={status}>
      <p class="muted small">Click to add points; Enter or a click on the first point closes the ring. 1–9 pick the category.</p>
      <CategoryRows
        categories={categories}
        commands={commands}
        prefix="boxcat"
        isOn={(id) => (sel ? sel.category_id === id : false)}
        isMarked={(id) => id === editor.newCategory.value}
        disabled={!status}
      />
      <p class="small" data-testid="polygon-count">
        {count === 0 ? (noObjects ? 'No objects (saved as an answer).' : 'No polygons yet.') : `${count} polygon${count === 1 ? '' : 's'}`}
        {editor.hidden.value && ' · hidden'}
        {!editor.filled.value && ' · outlines only'}
      </p>
      {drawing && (
        <p class="small" data-testid="drawing-state">
          {drawing.target ? 'Drawing a further ring of the selected polygon' : 'Drawing a new polygon'}: {drawing.points.length / 2} point
          {drawing.points.length === 2 ? '' : 's'}. Enter closes, Backspace takes one back, Esc cancels.
        </p>
      )}
      {editor.notice.value && (
        <p class="small notice-inline" role="status" data-testid="polygon-notice">
          {editor.notice.value}
        </p>
      )}
      {sel && (
        <p class="small box-panel-selected" data-testid="selected-polygon" data-category-id={sel.category_id} data-rings={sel.polygons.length}>
          {name(sel.category_id)} · {sel.polygons.length} ring{sel.polygons.length === 1 ? '' : 's'} · {points} points
          {editor.vertex.value && ' · a point selected'}
        </p>
      )}
      <div class="label-actions">
        {button('deletePolygon', editor.vertex.value ? 'Delete point' : 'Delete', !sel)}
        {button('addRing', 'Add ring', !sel || !!drawing)}
        {button('undo', 'Undo', !editor.canUndo.value && !drawing)}
        {button('hideBoxes', editor.hidden.value ? 'Show' : 'Hide')}
        {button('toggleFill', editor.filled.value ? 'Outlines' : 'Fill')}
        {button('noObjects', 'No objects', !status || count > 0)}
        <button type="button" tabIndex={-1} class="btn btn-sm btn-ghost" onClick={run('help')}>
          <Key command={commandById(commands, 'help')} /> Shortcuts
        </button>
      </div>
    </Panel>
  );
}
