// The labeling screen's tools for multi-label, box and polygon projects:
// their commands (built on the single-label ones), the panel on the right and
// the layer over the image. Single-label projects get nothing from here.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Asset } from '../../api/assets';
import type { Category, TaskType } from '../../api/types';
import { BoxCanvas } from '../../components/boxes/BoxCanvas';
import { BoxPanel, MultiLabelChecklist } from '../../components/boxes/TaskPanels';
import { newObjectId } from '../../state/boxEditor';
import type { LabelCommand } from '../../state/labelActions';
import type { LabelSession } from '../../state/labelSession';
import { BOX_SPEC, POLYGON_SPEC } from '../../state/objectEditors';
import { BOX_GESTURES, boxCommands, labelMode, multiCommands, previousFrame, toggled, type Gesture } from '../../state/taskActions';
import { polygonTools } from './polygonTools';
import { hasAnswer, useObjectEditor } from './useObjectEditor';

export interface TaskTools {
  commands: LabelCommand[];
  /** Replaces the single-label panel. */
  panel: ComponentChildren;
  /** Drawn over the image, inside the viewer's frame. */
  overlay: ComponentChildren;
  /** The image tool's mouse gestures, for the help. */
  gestures?: readonly Gesture[];
}

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

  // Boxes and polygons: one editor per image, whose every finished edit is queued as the image's new payload.
  const boxes = useObjectEditor(mode === 'boxes', session, cats, BOX_SPEC);
  const polys = useObjectEditor(mode === 'polygons', session, cats, POLYGON_SPEC);

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

  if (mode === 'polygons') return polygonTools(session, cats, base, polys, shown);

  const { editor, editorRef, lastCategory } = boxes;
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
      boxes.readObjects(prev, (objs) => {
        if (ed() !== e || objs.length === 0) return;
        e.replaceAll([...e.boxes.value, ...objs.map((o) => ({ ...o, id: newObjectId() }))]);
      });
    },
    noObjects: () => {
      const e = ed();
      if (e && e.boxes.value.length === 0) session.apply({ payload: { type: 'boxes', objects: [] } }, true);
    },
  });
  return {
    commands,
    gestures: BOX_GESTURES,
    overlay: editor ? <BoxCanvas editor={editor} categories={cats} /> : null,
    panel: editor ? (
      <BoxPanel
        categories={cats}
        commands={commands}
        editor={editor}
        status={shown?.status ?? null}
        noObjects={!!shown && hasAnswer(shown.status) && boxes.shownObjects?.length === 0}
      />
    ) : (
      <aside class="label-panel" aria-label="Labels" />
    ),
  };
}
