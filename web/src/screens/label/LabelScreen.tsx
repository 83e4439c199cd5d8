import { useEffect, useMemo, useState } from 'preact/hooks';
import { Link } from '../../components/Link';
import { location, navigate } from '../../router';
import { labelPath, parseLabelQuery, tabPath, type ProjectTabProps } from '../../routes';
import { findCommand } from '../../state/keys';
import { FIT, zoomBy, type ViewTransform } from '../../lib/view';
import { labelCommands } from '../../state/labelActions';
import { projectCategories } from '../../state/projectCategories';
import { createLabelSession, pendingWrites, saveStatus } from '../../state/labelSession';
import { HelpOverlay } from './HelpOverlay';
import { LabelPanel } from './LabelPanel';
import { preload } from './preload';
import { QueuePanel } from './QueuePanel';
import { SaveIndicator, StatusCounters } from './StatusCounters';
import { useTaskTools } from './useTaskTools';
import { Viewer } from './Viewer';
import './label.css';

const PRELOAD_AHEAD = 5;

function typing(t: EventTarget | null): boolean {
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

export function LabelScreen({ project }: ProjectTabProps) {
  const { filter, category, asset } = parseLabelQuery(location.value.search);
  // Deleted ones too, so that a label on one can be named (the panel lists only the others).
  const categories = projectCategories(project.id);
  const cats = categories.list.value;
  const error = categories.error.value;
  const [help, setHelp] = useState(false);
  const [view, setView] = useState<ViewTransform>(FIT);
  // A new session when the queue changes; the start asset is read once.
  const session = useMemo(() => createLabelSession(project.id, filter, category), [project.id, filter, category]);

  useEffect(() => {
    void session.open(asset);
    return () => session.dispose();
  }, [session]);

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
        zoom: (f) => setView((v) => (f === 'fit' ? FIT : zoomBy(v, f))),
        toggleHelp: () => setHelp((h) => !h),
        closeHelp: () => setHelp(false),
      }),
    [cats, session],
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
    setView(FIT);
    if (cur) window.history.replaceState(null, '', labelPath(project.id, filter, category, cur.id));
  }, [cur?.id, items.length]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target) || e.defaultPrevented) return;
      const c = findCommand(commands, e);
      if (!c || (help && !c.inHelp)) return;
      c.run();
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const shown = cur ? session.effective(cur) : null;
  const stats = session.stats.value;
  const empty =
    stats && stats.counts.total === 0 ? (
      <>
        This project has no images yet. <Link href={tabPath(project.id, 'assets')}>Upload some on the Assets tab</Link>.
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
    <section class="label-screen" aria-label="Labeling">
      <div class="label-top">
        <StatusCounters stats={session.stats.value} />
        {queueDone && (
          <span class="label-done" role="status">
            Queue done: every image has a label or was skipped.{' '}
            <Link href={tabPath(project.id, 'review')}>Review them</Link>
          </span>
        )}
        <SaveIndicator status={saveStatus.value} pending={pendingWrites.value} />
      </div>
      {(error || session.error.value) && (
        <div class="notice notice-error" role="alert">
          {error || session.error.value}
        </div>
      )}
      <div class="label-layout">
        <QueuePanel
          filter={filter}
          onFilter={(f) => navigate(labelPath(project.id, f, category, null))}
          items={items}
          index={index}
          total={session.total.value}
          effective={(a) => session.effective(a)}
          onPick={(i) => session.go(i - index)}
          onPrev={() => session.go(-1)}
          onNext={() => session.go(1)}
        />
        {session.loading.value ? (
          <div class="viewer">
            <p class="muted">Loading the queue…</p>
          </div>
        ) : (
          <Viewer asset={cur} view={view} onView={setView} empty={empty} overlay={task?.overlay} />
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
          />
        )}
      </div>
      {help && <HelpOverlay commands={commands} />}
    </section>
  );
}
