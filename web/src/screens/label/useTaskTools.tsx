// The labeling screen's tools for multi-label and box projects: their
// commands (built on the single-label ones), the panel on the right and the
// layer over the image. Single-label projects get nothing from here.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Asset, BoxObject } from '../../api/assets';
import { labeling } from '../../api/labeling';
import type { Category, TaskType } from '../../api/types';
import { BoxCanvas } from '../../components/boxes/BoxCanvas';
import { BoxPanel, MultiLabelChecklist } from '../../components/boxes/TaskPanels';
import { createBoxEditor, newObjectId, sameBoxes, type BoxEditor } from '../../state/boxEditor';
import { assignable, type LabelCommand } from '../../state/labelActions';
import type { LabelSession } from '../../state/labelSession';
import { boxCommands, labelMode, multiCommands, previousFrame, toggled } from '../../state/taskActions';

export interface TaskTools {
  commands: LabelCommand[];
  /** Replaces the single-label panel. */
  panel: ComponentChildren;
  /** Drawn over the image, inside the viewer's frame. */
  overlay: ComponentChildren;
}

const hasAnswer = (status: string) => status !== 'unlabeled' && status !== 'skipped';

export function useTaskTools(
  taskType: TaskType,
  session: LabelSession,
  cats: readonly Category[],
  base: readonly LabelCommand[],
): TaskTools | null {
  const mode = labelMode(taskType);
  const cur = session.current.value;
  const shown = cur ? session.effective(cur) : null;

  // Multi-label: the checked categories of each image not saved yet. A ref, since keys
  // can come faster than renders (the handlers then read it, not a render's copy).
  const drafts = useRef(new Map<number, number[]>());
  const [, rerender] = useState(0);
  /** The saved (or queued) categories of an asset. */
  const savedOf = (a: Asset | null): number[] => {
    const eff = a ? session.effective(a) : null;
    if (!eff || !hasAnswer(eff.status)) return [];
    return eff.payload?.type === 'classification' ? eff.payload.category_ids : eff.category_ids;
  };
  const savedIds = savedOf(cur);
  // A change applied another way (a suggestion accepted with A) ends the image's draft.
  useEffect(
    () =>
      session.onApply((a) => {
        if (drafts.current.delete(a.id)) rerender((n) => n + 1);
      }),
    [session],
  );
  const checked = (cur && drafts.current.get(cur.id)) ?? savedIds;
  const setDraft = (a: Asset, ids: number[] | null) => {
    if (ids) drafts.current.set(a.id, ids);
    else drafts.current.delete(a.id);
    rerender((n) => n + 1);
  };

  // Boxes: one editor per image, whose every finished edit is queued as the image's new payload.
  const editor = useMemo<BoxEditor | null>(
    () =>
      mode === 'boxes' && cur
        ? createBoxEditor({
            width: cur.width,
            height: cur.height,
            onCommit: (objects) => session.apply({ payload: { type: 'boxes', objects } }, false),
          })
        : null,
    [mode, cur?.id, session],
  );
  const lastCategory = useRef<number | null>(null);
  // The key handlers use the editor of the image shown now, even before a re-render.
  const editorRef = useRef(editor);
  editorRef.current = editor;
  const shownBoxes: BoxObject[] | undefined =
    shown?.payload?.type === 'boxes' ? shown.payload.objects : shown && !hasAnswer(shown.status) ? [] : undefined;

  // Show the saved (or queued) boxes; again when the server's state differs (a refused write).
  // Read live, not from this render: an edit may have come since.
  useEffect(() => {
    if (!editor || !cur) return;
    if (editor.newCategory.value === null) {
      const first = assignable(cats)[0];
      editor.newCategory.value = lastCategory.current ?? first?.id ?? null;
    }
    // An edit of ours not yet acknowledged: the editor holds it already.
    if (session.local.value.has(cur.id)) return;
    const a = session.items.value.find((x) => x.id === cur.id) ?? cur;
    const eff = session.effective(a);
    const objects = eff.payload?.type === 'boxes' ? eff.payload.objects : hasAnswer(eff.status) ? undefined : [];
    if (objects) {
      if (!sameBoxes(objects, editor.boxes.value)) editor.load(objects);
      return;
    }
    // The list did not carry the payload: read the annotation.
    let live = true;
    void labeling.get(cur.id).then(
      (ann) => {
        const objs = ann.payload?.type === 'boxes' ? ann.payload.objects : null;
        if (live && objs && !session.local.value.has(cur.id) && !sameBoxes(objs, editor.boxes.value)) editor.load(objs);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [editor, shownBoxes, cats]);

  if (mode === 'single') return null;

  if (mode === 'multi') {
    // The handlers read the session and the drafts live: a key may come before the
    // screen has re-rendered (and re-registered its key handler) for the next image.
    const commands = multiCommands(cats, base, {
      toggle: (id) => {
        const a = session.current.value;
        if (a) setDraft(a, toggled(drafts.current.get(a.id) ?? savedOf(a), id));
      },
      none: () => {
        const a = session.current.value;
        if (!a) return;
        setDraft(a, null);
        session.apply({ payload: { type: 'classification', category_ids: [] } }, true);
      },
      save: () => {
        const a = session.current.value;
        if (!a) return;
        const saved = savedOf(a);
        const checked = drafts.current.get(a.id) ?? saved;
        const answered = hasAnswer(session.effective(a).status);
        const same = answered && checked.length === saved.length && checked.every((x) => saved.includes(x));
        setDraft(a, null);
        if (checked.length > 0 && !same) session.apply({ payload: { type: 'classification', category_ids: checked } }, true);
        else session.go(1);
      },
    });
    const none = !!shown && hasAnswer(shown.status) && savedIds.length === 0;
    const draft = cur ? drafts.current.get(cur.id) : undefined;
    return {
      commands,
      overlay: null,
      panel: (
        <MultiLabelChecklist
          categories={cats}
          commands={commands}
          checked={checked}
          none={none && !draft}
          status={shown?.status ?? null}
          saved={!draft}
        />
      ),
    };
  }

  const ed = () => editorRef.current;
  const commands = boxCommands(cats, base, {
    pickCategory: (id) => {
      lastCategory.current = id;
      ed()?.pickCategory(id);
    },
    selectNext: (dir) => ed()?.selectNext(dir),
    nudge: (dx, dy) => ed()?.nudge(dx, dy) ?? false,
    deleteBox: () => ed()?.removeSelected(),
    toggleHidden: () => ed()?.toggleHidden(),
    undo: () => ed()?.undo(),
    redo: () => ed()?.redo(),
    copyPrevFrame: () => {
      const a = session.current.value;
      const prev = a ? previousFrame(session.items.value, a) : undefined;
      const e = ed();
      if (!prev || !e) return;
      const copy = (objs: readonly BoxObject[]) => {
        if (ed() !== e || objs.length === 0) return;
        e.replaceAll([...e.boxes.value, ...objs.map((o) => ({ ...o, id: newObjectId() }))]);
      };
      const p = session.effective(prev).payload;
      if (p?.type === 'boxes') copy(p.objects);
      else void labeling.get(prev.id).then((ann) => ann.payload?.type === 'boxes' && copy(ann.payload.objects), () => undefined);
    },
    noObjects: () => {
      const e = ed();
      if (e && e.boxes.value.length === 0) session.apply({ payload: { type: 'boxes', objects: [] } }, true);
    },
  });
  return {
    commands,
    overlay: editor ? <BoxCanvas editor={editor} categories={cats} /> : null,
    panel: editor ? (
      <BoxPanel
        categories={cats}
        commands={commands}
        editor={editor}
        status={shown?.status ?? null}
        noObjects={!!shown && hasAnswer(shown.status) && shownBoxes?.length === 0}
      />
    ) : (
      <aside class="label-panel" aria-label="Labels" />
    ),
  };
}
