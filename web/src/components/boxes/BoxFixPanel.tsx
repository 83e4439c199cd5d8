// The large preview of one asset in review, with its boxes in the same
// editor as the labeling screen: a reviewer fixes a box in place (drag,
// handles, Delete, Ctrl+Z while the pointer is over the preview), and the
// fix is saved through the same offline write queue.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { fileUrl, type Asset } from '../../api/assets';
import { labeling } from '../../api/labeling';
import type { Category } from '../../api/types';
import { createBoxEditor, sameBoxes } from '../../state/boxEditor';
import { writeQueue } from '../../state/labelSession';
import { BoxCanvas } from './BoxCanvas';
import './boxes.css';

export function BoxFixPanel({ asset, categories }: { asset: Asset; categories: readonly Category[] }) {
  const editor = useMemo(
    () =>
      createBoxEditor({
        width: asset.width,
        height: asset.height,
        onCommit: (objects) => void writeQueue().enqueue(asset.project_id, asset.id, { payload: { type: 'boxes', objects } }),
      }),
    [asset.id],
  );
  const hover = useRef(false);

  useEffect(() => {
    const first = categories.find((c) => c.state === 'active');
    if (editor.newCategory.value === null && first) editor.newCategory.value = first.id;
    const pending = writeQueue().pendingFor(asset.id)?.change;
    if (pending && 'payload' in pending && pending.payload.type === 'boxes') {
      editor.load(pending.payload.objects);
      return;
    }
    let live = true;
    labeling.get(asset.id).then(
      (a) => {
        const objs = a.payload?.type === 'boxes' ? a.payload.objects : [];
        if (live && !sameBoxes(objs, editor.boxes.value)) editor.load(objs);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [editor]);

  // Delete and undo/redo act on this preview while the pointer is over it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!hover.current) return;
      const undo = (e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z';
      if (e.key === 'Delete' || e.key === 'Backspace') editor.removeSelected();
      else if (undo && e.shiftKey) editor.redo();
      else if (undo) editor.undo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [editor]);

  const ratio = asset.height / Math.max(1, asset.width);
  return (
    <div class="review-card box-fix" data-testid="box-fix" onMouseEnter={() => (hover.current = true)} onMouseLeave={() => (hover.current = false)}>
      <div class="box-fix-frame" style={{ paddingTop: `${ratio * 100}%` }}>
        <img src={fileUrl(asset.id)} alt={asset.file_name} draggable={false} />
        <BoxCanvas editor={editor} categories={categories} />
      </div>
      <p class="muted small">
        {asset.file_name}: drag a box or its handles to fix it; Delete removes the selected box, Ctrl+Z undoes. Saved as you go.
      </p>
    </div>
  );
}
