// The large preview of one asset in review, with its objects in the same
// editor as the labeling screen: a reviewer fixes them in place, with the
// editor's keys while the pointer is over the preview, and each fix is saved
// through the same offline write queue (revisions and conflicts included).
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { fileUrl, type Asset } from '../../api/assets';
import { labeling } from '../../api/labeling';
import type { Category } from '../../api/types';
import { writeQueue } from '../../state/labelSession';
import type { ObjectEditorLike, ObjectEditorSpec } from '../../state/objectEditors';
import '../boxes/boxes.css';

export function ObjectFixPanel<O, E extends ObjectEditorLike<O>>({
  asset,
  categories,
  spec,
  onKey,
  tool,
  hint,
  testid,
}: {
  asset: Asset;
  categories: readonly Category[];
  spec: ObjectEditorSpec<O, E>;
  /** A key while the pointer is over the preview: true when the editor took it. */
  onKey: (editor: E, e: KeyboardEvent) => boolean;
  tool: (editor: E) => ComponentChildren;
  hint: string;
  testid: string;
}) {
  const editor = useMemo(
    () => spec.create(asset, (objects) => void writeQueue().enqueue(asset.project_id, asset.id, { payload: spec.toPayload(objects) })),
    [asset.id],
  );
  const hover = useRef(false);

  useEffect(() => {
    const first = categories.find((c) => c.state === 'active');
    if (editor.newCategory.value === null && first) editor.newCategory.value = first.id;
    const pending = writeQueue().pendingFor(asset.id)?.change;
    const queued = pending && 'payload' in pending ? spec.payloadOf(pending.payload) : undefined;
    if (queued) {
      editor.load(queued);
      return;
    }
    let live = true;
    labeling.get(asset.id).then(
      (a) => {
        const objs = spec.payloadOf(a.payload) ?? [];
        if (live && !spec.same(objs, spec.objectsOf(editor))) editor.load(objs);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [editor]);

  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (hover.current && !e.defaultPrevented && onKey(editor, e)) e.preventDefault();
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [editor]);

  const ratio = asset.height / Math.max(1, asset.width);
  return (
    <div class="review-card box-fix" data-testid={testid} onMouseEnter={() => (hover.current = true)} onMouseLeave={() => (hover.current = false)}>
      <div class="box-fix-frame" style={{ paddingTop: `${ratio * 100}%` }}>
        <img src={fileUrl(asset.id)} alt={asset.file_name} draggable={false} />
        {tool(editor)}
      </div>
      <p class="muted small">
        {asset.file_name}: {hint} Saved as you go.
      </p>
    </div>
  );
}

/** Ctrl+Z (Cmd+Z) and Ctrl+Shift+Z on an editor: true when the key was one of them. */
export function undoKeys(editor: { undo(): boolean; redo(): boolean }, e: KeyboardEvent): boolean {
  if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== 'z') return false;
  if (e.shiftKey) editor.redo();
  else editor.undo();
  return true;
}
