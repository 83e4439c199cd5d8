// The labeling screen's tools for polygon projects: the polygon commands on
// the editor of the image shown, its panel and its canvas layer.
import type { PolygonObject } from '../../api/assets';
import type { Category } from '../../api/types';
import { PolygonCanvas } from '../../components/polygons/PolygonCanvas';
import { PolygonPanel } from '../../components/polygons/PolygonPanel';
import { newObjectId } from '../../state/boxEditor';
import type { LabelCommand } from '../../state/labelActions';
import type { LocalAnnotation } from '../../state/labelLocal';
import type { LabelSession } from '../../state/labelSession';
import type { PolygonEditor } from '../../state/polygonEditor';
import { POLYGON_GESTURES, polygonCommands, previousFrame } from '../../state/taskActions';
import { hasAnswer, type useObjectEditor } from './useObjectEditor';
import type { TaskTools } from './useTaskTools';

type Polys = ReturnType<typeof useObjectEditor<PolygonObject, PolygonEditor>>;

export function polygonTools(
  session: LabelSession,
  cats: readonly Category[],
  base: readonly LabelCommand[],
  polys: Polys,
  shown: LocalAnnotation | null,
): TaskTools {
  const { editor, editorRef, lastCategory } = polys;
  // The handlers read the editor of the image shown now, even before a re-render.
  const ed = () => editorRef.current;
  const commands = polygonCommands(cats, base, {
    pickCategory: (id) => {
      lastCategory.current = id;
      ed()?.pickCategory(id);
    },
    selectNext: (dir) => ed()?.selectNext(dir),
    closeRing: () => ed()?.closeRing(),
    popPoint: () => ed()?.popPoint() ?? false,
    cancel: () => {
      const e = ed();
      if (e && !e.cancelDrawing()) e.select(null);
    },
    drawNew: () => ed()?.startDrawing(null),
    addRing: () => {
      const e = ed();
      if (e?.selected.value) e.startDrawing(e.selected.value);
    },
    deleteSelected: () => ed()?.deleteSelected(),
    toggleHidden: () => ed()?.toggleHidden(),
    toggleFill: () => ed()?.toggleFill(),
    undo: () => ed()?.undo(),
    redo: () => ed()?.redo(),
    copyPrevFrame: () => {
      const a = session.current.value;
      const prev = a ? previousFrame(session.items.value, a) : undefined;
      const e = ed();
      if (!prev || !e) return;
      polys.readObjects(prev, (objs) => {
        if (ed() !== e || objs.length === 0) return;
        e.replaceAll([...e.objects.value, ...objs.map((o) => ({ ...o, id: newObjectId() }))]);
      });
    },
    noObjects: () => {
      const e = ed();
      if (e && e.objects.value.length === 0 && !e.drawing.value) session.apply({ payload: { type: 'polygons', objects: [] } }, true);
    },
  });
  return {
    commands,
    gestures: POLYGON_GESTURES,
    overlay: editor ? <PolygonCanvas editor={editor} categories={cats} /> : null,
    panel: editor ? (
      <PolygonPanel
        categories={cats}
        commands={commands}
        editor={editor}
        status={shown?.status ?? null}
        noObjects={!!shown && hasAnswer(shown.status) && polys.shownObjects?.length === 0}
      />
    ) : (
      <aside class="label-panel" aria-label="Labels" />
    ),
  };
}
