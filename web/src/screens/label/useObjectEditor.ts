// The object editor (boxes or polygons) of the image shown on the labeling
// screen: one editor per image, whose every finished edit is queued as the
// image's new payload, loaded with the saved (or queued) objects, and again
// when the server's state differs (a refused write).
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { Asset } from '../../api/assets';
import { labeling } from '../../api/labeling';
import type { Category } from '../../api/types';
import { assignable } from '../../state/labelActions';
import type { LabelSession } from '../../state/labelSession';
import type { ObjectEditorLike, ObjectEditorSpec } from '../../state/objectEditors';

export const hasAnswer = (status: string) => status !== 'unlabeled' && status !== 'skipped';

export function useObjectEditor<O, E extends ObjectEditorLike<O>>(
  active: boolean,
  session: LabelSession,
  cats: readonly Category[],
  spec: ObjectEditorSpec<O, E>,
) {
  const cur = session.current.value;
  const shown = cur ? session.effective(cur) : null;
  const editor = useMemo<E | null>(
    () =>
      active && cur
        ? spec.create(cur, (objects) => session.apply({ payload: spec.toPayload(objects) }, false))
        : null,
    [active, cur?.id, session],
  );
  const lastCategory = useRef<number | null>(null);
  // The key handlers use the editor of the image shown now, even before a re-render.
  const editorRef = useRef(editor);
  editorRef.current = editor;
  const { payloadOf } = spec;
  const none: readonly O[] = [];
  const shownObjects = shown ? (payloadOf(shown.payload) ?? (!hasAnswer(shown.status) ? none : undefined)) : undefined;

  // Read live, not from this render: an edit may have come since.
  useEffect(() => {
    if (!editor || !cur) return;
    if (editor.newCategory.value === null) editor.newCategory.value = lastCategory.current ?? assignable(cats)[0]?.id ?? null;
    // An edit of ours not yet acknowledged: the editor holds it already.
    if (session.local.value.has(cur.id)) return;
    const a = session.items.value.find((x) => x.id === cur.id) ?? cur;
    const eff = session.effective(a);
    const objects = payloadOf(eff.payload) ?? (hasAnswer(eff.status) ? undefined : none);
    if (objects) {
      if (!spec.same(objects, spec.objectsOf(editor))) editor.load(objects);
      return;
    }
    // The list did not carry the payload: read the annotation.
    let live = true;
    void labeling.get(cur.id).then(
      (ann) => {
        const objs = payloadOf(ann.payload);
        if (live && objs && !session.local.value.has(cur.id) && !spec.same(objs, spec.objectsOf(editor))) editor.load(objs);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [editor, shownObjects, cats]);

  /** The objects of the previous frame of a video, read from the session or the server. */
  const readObjects = (a: Asset, then: (objs: readonly O[]) => void) => {
    const p = payloadOf(session.effective(a).payload);
    if (p) then(p);
    else void labeling.get(a.id).then((ann) => {
      const objs = payloadOf(ann.payload);
      if (objs) then(objs);
    }, () => undefined);
  };

  return { editor, editorRef, lastCategory, shownObjects, readObjects };
}
