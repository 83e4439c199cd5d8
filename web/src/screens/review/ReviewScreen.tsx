import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ASSET_FILTERS, assets as assetsApi, type Asset, type AssetFilter } from '../../api/assets';
import { errorMessage } from '../../api/errors';
import { labeling, type BulkAction, type Stats } from '../../api/labeling';
import { ApiError } from '../../api/errors';
import { addConflict, staleCurrent } from '../../state/conflicts';
import { assignable } from '../../state/labelActions';
import { PreviewOverlay } from './PreviewOverlay';
import { BoxFixPanel } from '../../components/boxes/BoxFixPanel';
import { AssetObjects } from '../../components/canvas/AssetObjects';
import { PolygonFixPanel } from '../../components/polygons/PolygonFixPanel';
import { AssetGrid } from '../../components/grid/AssetGrid';
import { SuggestionStats } from '../../components/suggestions/SuggestionStats';
import { FILTER_LABEL } from '../../lib/status';
import { location, navigate } from '../../router';
import { labelPath, parseReviewQuery, reviewPath, type ProjectTabProps } from '../../routes';
import { createAssetPager, gridCount } from '../../state/assetPager';
import { projectCategories } from '../../state/projectCategories';
import { createResource } from '../../state/resource';
import {
  EMPTY,
  extend,
  isSelected,
  runChunked,
  selectedCount,
  toggle,
  type BulkTally,
  type Selection,
} from '../../state/reviewSelection';
import { showError, showToast } from '../../state/toasts';
import { canReview } from '../../lib/roles';
import { BulkBar } from './BulkBar';
import { DistributionChart, IssuesPanel, type IssueTarget } from './ReviewSidebar';
import './review.css';

const CHUNK = 500;

/** A detection or segmentation tile's objects, over its (cropped) thumbnail. */
const tileObjects = (a: Asset) => <AssetObjects asset={a} />;
const hasObjects = (t: string) => t === 'detection' || t === 'segmentation';

export function ReviewScreen({ project }: ProjectTabProps) {
  const pid = project.id;
  const { filter, category } = parseReviewQuery(location.value.search);
  const categories = projectCategories(pid);
  const cats = categories.list.value;
  const [sel, setSel] = useState<Selection>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<BulkTally | null>(null);
  const [preview, setPreview] = useState<Asset | null>(null);

  const fetcher = useCallback(
    (f: AssetFilter, c: number | null) => (cursor: string | null, limit: number, signal: AbortSignal) =>
      assetsApi.list(pid, { status: f, categoryId: c, cursor, limit }, signal),
    [pid],
  );
  const pager = useMemo(() => createAssetPager(fetcher(filter, category)), [fetcher]);

  const statsStore = useMemo(() => createResource<Stats | null>(() => labeling.stats(pid), null), [pid]);
  const stats = statsStore.value.value;
  const loadStats = useCallback(() => {
    void statsStore.load().then(() => {
      if (statsStore.error.value) showError(statsStore.error.value);
    });
  }, [statsStore]);

  useEffect(() => {
    pager.reset(fetcher(filter, category));
    setSel(EMPTY);
  }, [pager, fetcher, filter, category]);

  useEffect(() => {
    loadStats();
    void categories.refresh();
  }, [categories, loadStats]);

  const items = pager.items.value;
  const counts = pager.counts.value;
  const matching = counts?.[filter] ?? 0;
  const total = gridCount(items.length, pager.done.value, counts?.[filter]);
  const getItem = useCallback((i: number) => pager.items.value[i], [pager]);
  const names = useMemo(() => new Map(cats.map((c) => [c.id, c.name])), [cats]);
  const nameOf = useCallback((id: number) => names.get(id), [names]);
  const onRange = useCallback((_s: number, end: number) => pager.ensure(end - 1), [pager]);
  const go = (f: AssetFilter, c: number | null) => navigate(reviewPath(pid, f, c), { replace: true });
  const anchorAsset = sel.kind === 'ids' && sel.anchor !== null ? items[sel.anchor] : undefined;

  const runBulk = async (action: BulkAction) => {
    setBusy(true);
    try {
      let t: BulkTally;
      if (sel.kind === 'all') {
        setProgress({ done: 0, total: matching, succeeded: 0, failed: 0, reasons: {} });
        const r = await labeling.bulk(pid, action, {
          filter: { status: filter, ...(category ? { category_id: category } : {}) },
        });
        t = { done: r.matched, total: r.matched, succeeded: r.succeeded, failed: r.failed, reasons: {} };
        for (const x of r.results) if (!x.ok) t.reasons[x.error.code] = (t.reasons[x.error.code] ?? 0) + 1;
        setProgress(t);
      } else {
        t = await runChunked([...sel.ids], CHUNK, (ids) => labeling.bulk(pid, action, { asset_ids: ids }), setProgress);
      }
      const verb = action === 'approve' ? 'Approved' : 'Marked for review';
      const why = Object.entries(t.reasons)
        .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
        .join(', ');
      showToast(`${verb} ${t.succeeded.toLocaleString('en-US')}${t.failed ? ` · ${t.failed} refused (${why})` : ''}.`);
      setSel(EMPTY);
      pager.reset();
      loadStats();
    } catch (e) {
      showError(errorMessage(e));
    } finally {
      setBusy(false);
      setTimeout(() => setProgress(null), 1500);
    }
  };

  /** Puts the server's new annotation on the tiles that show it. */
  const patch = (changed: Map<number, Partial<Asset['annotation']>>) => {
    pager.items.value = pager.items.value.map((a) => {
      const c = a && changed.get(a.id);
      return c ? { ...a, annotation: { ...a.annotation, ...c } } : a;
    });
    loadStats();
  };

  /** A or R on the grid: the selected tiles, or the active one when none is selected. */
  const review = async (action: BulkAction, active: Asset) => {
    const ids = sel.kind === 'ids' && sel.ids.size > 0 ? [...sel.ids] : [active.id];
    try {
      const r = await labeling.bulk(pid, action, { asset_ids: ids });
      const changed = new Map<number, Partial<Asset['annotation']>>();
      for (const x of r.results) if (x.ok) changed.set(x.asset_id, { status: x.status, revision: x.revision });
      patch(changed);
      const refused = r.results.filter((x) => !x.ok).length;
      showToast(`${action === 'approve' ? 'Approved' : 'Sent back for review'}: ${r.succeeded}${refused ? ` · ${refused} refused` : ''}.`);
    } catch (e) {
      showError(errorMessage(e));
    }
  };

  /** 1..9 on the grid: relabel the active tile in place, on the revision shown (a 409 asks who wins). */
  const relabel = async (a: Asset, categoryId: number) => {
    const change = { category_ids: [categoryId] };
    try {
      const ann = await labeling.setAnnotation(a.id, { ...change, revision: a.annotation.revision });
      patch(new Map([[a.id, ann]]));
    } catch (e) {
      const theirs = staleCurrent(e);
      if (theirs) {
        patch(new Map([[a.id, theirs]]));
        addConflict({ projectId: pid, assetId: a.id, mine: change, theirs });
      } else showError(e instanceof ApiError ? e.message : errorMessage(e));
    }
  };

  // Key actions run one after another, each on the annotation the one before left.
  const chain = useRef<Promise<void>>(Promise.resolve());
  const queued = (f: () => Promise<void>) => {
    chain.current = chain.current.then(f, f);
  };
  const latest = (a: Asset) => pager.items.value.find((x) => x?.id === a.id) ?? a;

  const onGridKey = (a: Asset, _i: number, e: KeyboardEvent): boolean => {
    const k = e.key.toLowerCase();
    if (k === 'enter') {
      setPreview(a);
      return true;
    }
    if ((k === 'a' || k === 'r') && canReview(project)) {
      queued(() => review(k === 'a' ? 'approve' : 'needs_review', a));
      return true;
    }
    if (/^[1-9]$/.test(k)) {
      const c = assignable(cats)[Number(k) - 1];
      if (c) queued(() => relabel(latest(a), c.id));
      return Boolean(c);
    }
    return false;
  };

  const openIssue = (t: IssueTarget) => go(t.filter, t.categoryId);
  const perCat = new Map(stats?.per_category.map((c) => [c.category_id, c.count]) ?? []);
  const shownCats = cats.filter((c) => c.state !== 'deleted' || (perCat.get(c.id) ?? 0) > 0);

  return (
    <section class="review-screen" aria-label="Review">
      <div class="review-filters">
        <div class="seg" role="group" aria-label="Status filter">
          {ASSET_FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              class={f === filter ? 'seg-btn seg-on' : 'seg-btn'}
              aria-pressed={f === filter}
              onClick={() => go(f, category)}
            >
              {FILTER_LABEL[f]} <span class="seg-n mono" data-filter-count={f}>{counts ? counts[f].toLocaleString('en-US') : '–'}</span>
            </button>
          ))}
        </div>
        <label class="review-cat">
          <span class="muted small">Category</span>
          <select
            value={category ?? ''}
            onChange={(e) => {
              const v = Number((e.currentTarget as HTMLSelectElement).value);
              go(filter, v > 0 ? v : null);
            }}
          >
            <option value="">Any category</option>
            {shownCats.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
                {c.state === 'deleted' ? ' (deleted)' : ''} · {perCat.get(c.id) ?? 0}
              </option>
            ))}
          </select>
        </label>
        <span class="bulk-spacer" />
        <button
          type="button"
          class="btn btn-sm"
          disabled={!anchorAsset}
          onClick={() => anchorAsset && navigate(labelPath(pid, filter, category, anchorAsset.id))}
        >
          Open in labeling
        </button>
      </div>
      {canReview(project) ? (
        <BulkBar
          selected={selectedCount(sel, matching)}
          matching={matching}
          allSelected={sel.kind === 'all'}
          busy={busy}
          progress={progress}
          onSelectAll={() => setSel({ kind: 'all' })}
          onClear={() => setSel(EMPTY)}
          onApprove={() => void runBulk('approve')}
          onNeedsReview={() => void runBulk('needs_review')}
        />
      ) : (
        <p class="muted small">Approving needs the reviewer role in this project.</p>
      )}
      <div class="review-layout">
        <div class="review-grid">
          {pager.loaded.value && total === 0 ? (
            <div class="assets-empty muted">
              {stats && stats.counts.total === 0
                ? 'This project has no images yet. Upload some on the Assets tab.'
                : 'No assets match this filter.'}
            </div>
          ) : (
            <AssetGrid
              count={total}
              getItem={getItem}
              onRange={onRange}
              selected={sel.kind === 'all' ? new Set(items.map((a) => a.id)) : sel.ids}
              onOpen={(a: Asset, i: number) => setSel((s) => toggle(s, a.id, i))}
              onToggleSelect={(a: Asset, i: number, e: MouseEvent | KeyboardEvent) =>
                setSel((s) => (e.shiftKey ? extend(s, i, (k) => pager.items.value[k]?.id) : toggle(s, a.id, i)))
              }
              label={`${FILTER_LABEL[filter]} assets for review`}
              onKey={onGridKey}
              categoryName={nameOf}
              tileOverlay={hasObjects(project.task_type) ? tileObjects : undefined}
            />
          )}
        </div>
        <div class="review-side">
          {project.task_type === 'detection' && anchorAsset && canReview(project) && (
            <BoxFixPanel key={anchorAsset.id} asset={anchorAsset} categories={cats} />
          )}
          {project.task_type === 'segmentation' && anchorAsset && canReview(project) && (
            <PolygonFixPanel key={anchorAsset.id} asset={anchorAsset} categories={cats} />
          )}
          <IssuesPanel stats={stats} categories={cats} onOpen={openIssue} />
          <DistributionChart stats={stats} categories={cats} />
          <SuggestionStats projectId={pid} categories={cats} hideEmpty compact />
        </div>
      </div>
      <p class="muted small review-keys">
        Keys: arrows move · Space selects · A approves · R sends back for review · 1–9 relabel · Enter shows it large
      </p>
      {preview && (
        <PreviewOverlay
          asset={pager.items.value.find((x) => x?.id === preview.id) ?? preview}
          categoryName={nameOf}
          onClose={() => setPreview(null)}
        />
      )}
      {anchorAsset && isSelected(sel, anchorAsset.id) && (
        <p class="muted small review-hint">
          Click to select, Shift-click for a range; “Open in labeling” opens {anchorAsset.file_name}.
        </p>
      )}
    </section>
  );
}
