// The review preview's polygon editor: the labeling screen's mouse actions,
// and while the pointer is over the preview its editing keys (Enter,
// Backspace, Escape, Delete, R, O, H, Ctrl+Z).
import type { Asset } from '../../api/assets';
import type { Category } from '../../api/types';
import { POLYGON_SPEC } from '../../state/objectEditors';
import type { PolygonEditor } from '../../state/polygonEditor';
import { ObjectFixPanel, undoKeys } from '../canvas/ObjectFixPanel';
import { PolygonCanvas } from './PolygonCanvas';

function polygonKey(editor: PolygonEditor, e: KeyboardEvent): boolean {
  if (undoKeys(editor, e)) return true;
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  switch (e.key) {
    case 'Enter':
      editor.closeRing();
      return true;
    case 'Backspace':
      if (!editor.popPoint()) editor.deleteSelected();
      return true;
    case 'Delete':
      editor.deleteSelected();
      return true;
    case 'Escape':
      if (!editor.cancelDrawing()) editor.select(null);
      return true;
    case 'r':
    case 'R':
      if (editor.selected.value) editor.startDrawing(editor.selected.value);
      return true;
    case 'o':
    case 'O':
      editor.toggleFill();
      return true;
    case 'h':
    case 'H':
      editor.toggleHidden();
      return true;
    default:
      return false;
  }
}

export function PolygonFixPanel({ asset, categories }: { asset: Asset; categories: readonly Category[] }) {
  return (
    <ObjectFixPanel
      asset={asset}
      categories={categories}
      spec={POLYGON_SPEC}
      testid="polygon-fix"
      hint="drag a point to move it, click an edge to add one, Shift-drag moves a polygon; Delete removes the selected point (or polygon), Ctrl+Z undoes."
      tool={(editor) => <PolygonCanvas editor={editor} categories={categories} />}
      onKey={polygonKey}
    />
  );
}
