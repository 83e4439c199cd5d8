import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Link } from '../../components/Link';
import { useFillWindow } from '../../components/fillWindow';
import { location, navigate } from '../../router';
import { labelPath, parseLabelQuery, tabPath, type ProjectTabProps } from '../../routes';
import { findCommand } from '../../state/keys';
import { FIT, zoomBy, type ViewTransform } from '../../lib/view';
import { labelCommands } from '../../state/labelActions';
import { projectCategories } from '../../state/projectCategories';
import { createLabelSession, onWriteResult, pendingWrites, saveStatus } from '../../state/labelSession';
import { newObjectId } from '../../state/boxEditor';
import { createSuggestions } from '../../state/suggestions';
import { acceptChange, suggestedBoxes, suggestedCategories } from '../../lib/suggestions';
import { BoxOverlay } from '../../components/boxes/BoxOverlay';
import { SuggestionCard } from './SuggestionCard';
import { HelpOverlay } from './HelpOverlay';
import { FlagNote } from './FlagNote';
import { LabelPanel } from './LabelPanel';
import { preload } from './preload';
import { QueuePanel } from './QueuePanel';
import { SaveIndicator, StatusCounters } from './StatusCounters';
import { useTaskTools } from './useTaskTools';
import { Viewer } from './Viewer';
import './label.css';

const PRELOAD_AHEAD = 5;
/** Suggestions read ahead of the image shown. */
const SUGGEST_AHEAD = 2;

/** Keys typed into a field are the field's; a select keeps only its arrows (digits, S, F... still label). */
function typing(t: EventTarget | null, key: string): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.tagName === 'SELECT') return key.startsWith('Arrow') || key === ' ' || key === 'Enter';
  return t.isContentEditable || ['INPUT', 'TEXTAREA'].includes(t.tagName);
}

/** How far a finger must move sideways on the viewer to count as a swipe. */
const SWIPE_PX = 50;

/** Focus mode hides the header and tabs (a class on the root element, so the frame's CSS can hide them). */
function useFocusMode(on: boolean): void {
  useEffect(() => {
    document.documentElement.classList.toggle('focus-mode', on);
    return () => document.documentElement.classList.remove('focus-mode');
  }, [on]);
}

export function LabelScreen({ project }: ProjectTabProps) {
  const { filter, category, asset, queue } = parseLabelQuery(location.value.search);
  // Deleted ones too, so that a label on one can be named (the panel lists only the others).
  const categories = projectCategories(project.id);
  const cats = categories.list.value;
  const error = categories.error.value;
  const [help, setHelpState] = useState(false);
  // Read by the key handler: a key may come before the render that re-registers it.
  const helpShown = useRef(false);
  const setHelp = (f: (h: boolean) => boolean) => {
    helpShown.current = f(helpShown.current);
    setHelpState(helpShown.current);
  };
  const [view, setView] = useState<ViewTransform>(FIT);
  const [focus, setFocus] = useState(false);
  const [showRecent, setShowRecent] = useState(false);
  // F asks for a note first (FlagNote); the flag is written when it is given or skipped.
  const [noting, setNoting] = useState(false);
  const layout = useRef<HTMLDivElement>(null);
  const screen = useRef<HTMLElement>(null);
  const swipe = useRef<{ x: number; y: number } | null>(null);
  useFocusMode(focus);
  // A new session when the queue changes; the start asset is read once.
  const session = useMemo(
    () => createLabelSession(project.id, filter, category, queue),
    [project.id, filter, category, queue],
  );
  // The active model's suggestions: read per image, the labeler's answer reported back.
  const sugg = useMemo(() => createSuggestions(project.id), [project.id]);
  const suggMode = sugg.mode.value;

  useEffect(() => {
    void session.open(asset);
    return () => session.dispose();
  }, [session]);

  useEffect(() => {
    void sugg.open();
    const offWrite = onWriteResult((kind, assetId) => sugg.onWrite(kind, assetId));
    return () => {
      offWrite();
      sugg.dispose();
    };
  }, [sugg]);

  useEffect(() => session.onApply((a, change) => sugg.noteChange(a, change)), [session, sugg]);

  useEffect(() => {
    void categories.refresh();
  }, [categories]);

  const single = useMemo(
    () =>
      labelCommands(cats, {
        assign: (id) => session.apply({ category_ids: [id] }, true),
        prev: () => session.go(-1),
        next: () => session.go(1),
        skip: () => session.apply({ status: 'skipped' }, true),
        flag: () => {
          if (session.current.value) setNoting(true);
        },
        accept:
          suggMode.kind === 'on'
            ? () => {
                // Read live: the key may come before the screen re-rendered for this image.
                const a = session.current.value;
                const s = a ? sugg.suggestionOf(a.id) : null;
                const change = s && s.status !== 'superseded' ? acceptChange(s.payload, project.task_type, newObjectId) : null;
                if (change) session.apply(change, true);
              }
            : undefined,
        undo: () => session.undo(),
        redo: () => session.redo(),
        toggleFocus: () => setFocus((f) => !f),
        zoom: (f) => setView((v) => (f === 'fit' ? FIT : zoomBy(v, f))),
        toggleHelp: () => setHelp((h) => !h),
        closeHelp: () => setHelp(() => false),
      }),
    [cats, session, sugg, suggMode.kind, project.task_type],
  );
  // Multi-label and box projects: their commands, panel and image layer.
  const task = useTaskTools(project.task_type, session, cats, single);
  const commands = task?.commands ?? single;
  const cur = session.current.value;
  const index = session.index.value;
  const items = session.items.value;

  // Preload and decode what comes next; remember the place in the URL.
  useEffect(() => {
    preload(items.slice(index + 1, index + 1 + PRELOAD_AHEAD).map((a) => a.id));
    if (cur) window.history.replaceState(null, '', labelPath(project.id, filter, category, cur.id, queue));
  }, [cur?.id, items.length]);
  // A new image starts fitted; more of the queue arriving keeps the zoom.
  useEffect(() => setView(FIT), [cur?.id]);

  // The suggestion of the image shown, and of the next ones, so that A answers at once.
  useEffect(() => {
    if (cur) sugg.load(items.slice(index, index + 1 + SUGGEST_AHEAD).map((a) => a.id));
  }, [cur?.id, suggMode.kind]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target, e.key) || e.defaultPrevented) return;
      // While the help is shown, only its own commands (Escape closes it rather than what it does on the image).
      const c = findCommand(helpShown.current ? commands.filter((x) => x.inHelp) : commands, e);
      if (!c) return;
      c.run();
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // Take the focus from the tab that opened the screen (no ring left on it; keys go to the screen).
  useEffect(() => {
    const a = document.activeElement;
    if (a instanceof HTMLElement && a.closest('.tabs')) screen.current?.focus({ preventScroll: true });
  }, []);

  const error0 = error || session.error.value;
  useFillWindow(layout, [focus, !!error0, session.loading.value]);

  // Listeners of the element itself: a touch event name is only known to
  // Preact's props where the browser reports touch support.
  const onTouchStart = (e: TouchEvent) => {
    const t = e.touches[0];
    swipe.current = t && e.touches.length === 1 && (e.target as HTMLElement).closest('.viewer') ? { x: t.clientX, y: t.clientY } : null;
  };
  const onTouchEnd = (e: TouchEvent) => {
    const s = swipe.current;
    const t = e.changedTouches[0];
    swipe.current = null;
    if (!s || !t || view.zoom > 1) return;
    const dx = t.clientX - s.x;
    const dy = t.clientY - s.y;
    if (Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > 2 * Math.abs(dy)) session.go(dx < 0 ? 1 : -1);
  };
  useEffect(() => {
    const el = layout.current;
    if (!el) return;
    el.addEventListener('touchstart', onTouchStart, { passive: true });
    el.addEventListener('touchend', onTouchEnd);
    return () => {
      el.removeEventListener('touchstart', onTouchStart);
      el.removeEventListener('touchend', onTouchEnd);
    };
  });

  const shown = cur ? session.effective(cur) : null;
  const stats = session.stats.value;
  const suggState = cur ? sugg.byAsset.value.get(cur.id) : undefined;
  const suggestion = suggState?.kind === 'ready' ? suggState.suggestion : null;
  // Suggested boxes are drawn dashed until they are answered.
  const dashed =
    cur && suggestion?.status === 'pending' && suggestion.payload.type === 'boxes' ? (
      <BoxOverlay boxes={suggestedBoxes(suggestion.payload, () => '')} width={cur.width} height={cur.height} dashed />
    ) : null;
  const empty =
    stats && stats.counts.total === 0 ? (
      <>
        This project has no images yet. <Link href={tabPath(project.id, 'assets')}>Upload some on the Assets tab</Link>.
      </>
    ) : queue !== 'order' ? (
      <>
        {queue === 'suggested'
          ? 'No image of this filter has a suggestion waiting for review. '
          : 'No image of this filter is in the latest ranking. '}
        <Link href={tabPath(project.id, 'models')}>
          {queue === 'suggested' ? 'Suggest labels for a batch' : 'Rank the unlabeled images'} on the Models tab
        </Link>
        .
      </>
    ) : (
      <>
        Nothing left in this queue. Pick another one on the left, or{' '}
        <Link href={tabPath(project.id, 'review')}>review the labels</Link>.
      </>
    );
  // The unlabeled queue is finished once every image in it has been labeled or skipped here.
  const queueDone =
    filter === 'unlabeled' && items.length > 0 && items.every((a) => session.effective(a).status !== 'unlabeled');
  return (
    <section class="label-screen" aria-label="Labeling" ref={screen} tabIndex={-1}>
      <div class="label-top">
        <StatusCounters stats={session.stats.value} />
        {queueDone && (
          <span class="label-done" role="status">
            Queue done: every image has a label or was skipped.{' '}
            <Link href={tabPath(project.id, 'review')}>Review them</Link>
          </span>
        )}
        <SaveIndicator status={saveStatus.value} pending={pendingWrites.value} />
        <button
          type="button"
          class="btn btn-sm btn-ghost focus-toggle"
          aria-pressed={focus}
          onClick={() => setFocus((f) => !f)}
          title="Focus mode: hide the header and tabs (Z)"
        >
          <kbd>Z</kbd> {focus ? 'Leave focus' : 'Focus'}
        </button>
      </div>
      {error0 && (
        <div class="notice notice-error" role="alert">
          {error0}
        </div>
      )}
      <div class="label-layout" ref={layout}>
        <QueuePanel
          filter={filter}
          onFilter={(f) => navigate(labelPath(project.id, f, category, null, queue))}
          mode={queue}
          onMode={(m) => navigate(labelPath(project.id, filter, category, null, m))}
          suggested={(a) => sugg.isPending(a)}
          items={items}
          index={index}
          total={session.total.value}
          effective={(a) => session.effective(a)}
          onPick={(i) => session.go(i - index)}
          onPrev={() => session.go(-1)}
          onNext={() => session.go(1)}
          recent={session.recent.value}
          showRecent={showRecent}
          onShowRecent={setShowRecent}
          onOpenRecent={(id) => {
            const at = items.findIndex((a) => a.id === id);
            if (at >= 0) session.go(at - index);
            else navigate(labelPath(project.id, 'all', null, id));
          }}
        />
        {session.loading.value ? (
          <div class="viewer">
            <p class="muted">Loading the queue…</p>
          </div>
        ) : (
          <Viewer
            asset={cur}
            view={view}
            onView={setView}
            empty={empty}
            overlay={
              dashed ? (
                <>
                  {dashed}
                  {task?.overlay}
                </>
              ) : (
                task?.overlay
              )
            }
          />
        )}
        <div class="label-side">
          {cur && (
            <SuggestionCard
              mode={suggMode}
              state={suggState}
              categories={cats}
              accept={commands.find((c) => c.id === 'accept')}
              modelsHref={tabPath(project.id, 'models')}
            />
          )}
          {task ? (
            task.panel
          ) : (
            <LabelPanel
              categories={cats}
              commands={commands}
              current={shown}
              perCategory={session.perCategory.value}
              categoriesHref={tabPath(project.id, 'categories')}
              suggestedIds={suggestion && suggestion.status !== 'superseded' ? suggestedCategories(suggestion.payload) : []}
            />
          )}
        </div>
      </div>
      {noting && (
        <FlagNote
          onDone={(note) => {
            setNoting(false);
            session.apply(note ? { status: 'needs_review', note } : { status: 'needs_review' }, true);
            screen.current?.focus({ preventScroll: true });
          }}
          onCancel={() => setNoting(false)}
        />
      )}
      {help && <HelpOverlay commands={commands} gestures={task?.gestures} />}
    </section>
  );
}
