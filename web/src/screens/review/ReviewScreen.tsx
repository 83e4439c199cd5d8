import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ASSET_FILTERS, assets as assetsApi, type Asset, type AssetFilter } from '../../api/assets';
import { errorMessage } from '../../api/errors';
import { labeling, type BulkAction, type Stats } from '../../api/labeling';
import { AssetBoxes } from '../../components/boxes/AssetBoxes';
import { BoxFixPanel } from '../../components/boxes/BoxFixPanel';
import { AssetGrid } from '../../components/grid/AssetGrid';
import { FILTER_LABEL } from '../../lib/filters';
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

/** A detection tile's boxes, over its (cropped) thumbnail. */
const tileBoxes = (a: Asset) => <AssetBoxes asset={a} />;

export function ReviewScreen({ project }: ProjectTabProps) {
  const pid = project.id;
  const { filter, category } = parseReviewQuery(location.value.search);
  const categories = projectCategories(pid);
  const cats = categories.list.value;
  const [sel, setSel] = useState<Selection>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<BulkTally | null>(null);

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
              categoryName={nameOf}
              tileOverlay={project.task_type === 'detection' ? tileBoxes : undefined}
            />
          )}
        </div>
        <div class="review-side">
          {project.task_type === 'detection' && anchorAsset && canReview(project) && (
            <BoxFixPanel key={anchorAsset.id} asset={anchorAsset} categories={cats} />
          )}
          <IssuesPanel stats={stats} categories={cats} onOpen={openIssue} />
          <DistributionChart stats={stats} categories={cats} />
        </div>
      </div>
      {anchorAsset && isSelected(sel, anchorAsset.id) && (
        <p class="muted small review-hint">
          Click to select, Shift-click for a range; “Open in labeling” opens {anchorAsset.file_name}.
        </p>
      )}
    </section>
  );
}
