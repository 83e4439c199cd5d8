// The Assets tab: upload panel, filter tabs with counts, sort and file-name
// search (all kept in the URL), and the virtualized thumbnail grid. A tile
// opens the labeling screen with the grid's filter.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ASSET_FILTERS, assets as assetsApi, uploadFile } from '../../api/assets';
import type { Asset, AssetFilter, AssetSort } from '../../api/assets';
import { runAction, useConfirmAction } from '../../components/ConfirmAction';
import { uploadVideo, videos as videosApi } from '../../api/videos';
import type { Video } from '../../api/videos';
import { AssetGrid } from '../../components/grid/AssetGrid';
import { formatCount } from '../../lib/bytes';
import { FILTER_LABEL } from '../../lib/status';
import { location, navigate } from '../../router';
import { assetsPath, labelPath, parseAssetsQuery, type AssetsQuery, type ProjectTabProps } from '../../routes';
import { createAssetPager, gridCount } from '../../state/assetPager';
import { projectCategories } from '../../state/projectCategories';
import { createResource } from '../../state/resource';
import { canManage } from '../../lib/roles';
import { createUploadQueue } from '../../state/uploadQueue';
import { createVideoUploads } from '../../state/videoUploads';
import { UploadPanel } from './UploadPanel';
import { useFillWindow } from '../../components/fillWindow';
import { ImportPanel } from './ImportPanel';
import { VideoUploadPanel } from './VideoUploadPanel';
import './assets.css';

/** A filter select: "any" (null) or one id. */
function IdSelect(props: {
  class: string;
  label: string;
  any: string;
  value: number | null;
  onChange: (id: number | null) => void;
  options: { id: number; text: string }[];
}) {
  return (
    <select
      class={props.class}
      aria-label={props.label}
      value={props.value ?? ''}
      onChange={(e) => props.onChange(e.currentTarget.value ? Number(e.currentTarget.value) : null)}
    >
      <option value="">{props.any}</option>
      {props.options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.text}
        </option>
      ))}
    </select>
  );
}

const SORT_LABEL: Record<AssetSort, string> = {
  id: 'Oldest id first',
  '-id': 'Newest id first',
  uploaded: 'Uploaded, oldest first',
  '-uploaded': 'Uploaded, newest first',
  name: 'File name, A to Z',
  '-name': 'File name, Z to A',
};

export function AssetsScreen({ project }: ProjectTabProps) {
  const pid = project.id;
  const query = parseAssetsQuery(location.value.search);
  const { filter, category: categoryId, video: videoId, sort, q } = query;
  const go = useCallback(
    (change: Partial<AssetsQuery>) => navigate(assetsPath(pid, { ...parseAssetsQuery(window.location.search), ...change }), { replace: true }),
    [pid],
  );
  const setFilter = (f: AssetFilter) => go({ filter: f });
  const setCategoryId = (c: number | null) => go({ category: c });
  const setVideoId = (v: number | null) => go({ video: v });
  // The search box: typed text reaches the URL (and the list) after a pause.
  // The box follows the URL only when the URL changed otherwise (back,
  // a link): "cat " stays as typed while "cat" is searched.
  const [search, setSearch] = useState(q);
  const sent = useRef(q);
  useEffect(() => {
    if (q !== sent.current) {
      sent.current = q;
      setSearch(q);
    }
  }, [q]);
  useEffect(() => {
    const text = search.trim();
    if (text === q) return undefined;
    const t = window.setTimeout(() => {
      sent.current = text;
      go({ q: text });
    }, 250);
    return () => window.clearTimeout(t);
  }, [search, q, go]);
  const categories = projectCategories(pid);
  const cats = categories.list.value;
  const videoList = useMemo(() => createResource(() => videosApi.list(pid), [] as Video[]), [pid]);
  const vids = videoList.value.value;
  const [showUpload, setShowUpload] = useState(false);
  const refreshTimer = useRef<number>(0);

  const fetcher = useCallback(
    (f: AssetFilter, c: number | null, v: number | null = null, s: AssetSort = 'id', text = '') =>
      (cursor: string | null, limit: number, signal: AbortSignal) =>
        assetsApi.list(pid, { status: f, categoryId: c, videoId: v, sort: s, q: text, cursor, limit }, signal),
    [pid],
  );
  const pager = useMemo(() => createAssetPager(fetcher('all', null)), [fetcher]);

  const refresh = useCallback(() => {
    window.clearTimeout(refreshTimer.current);
    refreshTimer.current = 0;
    pager.reset();
  }, [pager]);

  const queue = useMemo(
    () =>
      createUploadQueue((file, onProgress, signal) => uploadFile(pid, file, onProgress, signal), {
        concurrency: 4,
        // New assets show up while a batch runs, at most once a second.
        onFileDone: () => {
          if (!refreshTimer.current) refreshTimer.current = window.setTimeout(refresh, 1000);
        },
        onIdle: refresh,
      }),
    [pid, refresh],
  );

  const loadVideos = useCallback(() => void videoList.load(), [videoList]);

  const videoUploads = useMemo(
    () =>
      createVideoUploads({
        upload: (file, mode, onProgress) => uploadVideo(pid, file, mode, onProgress),
        get: (id) => videosApi.get(id),
        // Frames show up while a video is extracted, at most once a second.
        onFrames: (v) => {
          if (!refreshTimer.current) refreshTimer.current = window.setTimeout(refresh, 1000);
          if (v.state === 'ready' || v.state === 'failed') loadVideos();
        },
      }),
    [pid, refresh, loadVideos],
  );

  useEffect(() => {
    loadVideos();
    return () => videoUploads.stop();
  }, [loadVideos, videoUploads]);

  useEffect(() => {
    pager.reset(fetcher(filter, categoryId, videoId, sort, q));
  }, [pager, fetcher, filter, categoryId, videoId, sort, q]);

  useEffect(() => {
    void categories.refresh();
    return () => window.clearTimeout(refreshTimer.current);
  }, [categories]);

  const names = useMemo(() => new Map(cats.map((c) => [c.id, c.name])), [cats]);
  const nameOf = useCallback((id: number) => names.get(id), [names]);
  const counts = pager.counts.value;
  const items = pager.items.value;
  const total = gridCount(items.length, pager.done.value, counts?.[filter]);
  const empty = pager.loaded.value && counts !== null && counts.all === 0;

  const manage = canManage(project);
  const screen = useRef<HTMLDivElement>(null);
  // Deleted here this visit, each with a Restore button (a deleted asset leaves every list).
  const [deleted, setDeleted] = useState<Asset[]>([]);
  const confirm = useConfirmAction();
  const askDelete = (a: Asset) =>
    confirm.ask({
      title: `Delete “${a.file_name}”?`,
      body: (
        <p>
          It leaves the grid, the counts, the queues and new exports. Its file and labels are kept: versions already
          exported still hold it, and it can be restored.
        </p>
      ),
      confirmLabel: 'Delete image',
      danger: true,
      run: async () => {
        await assetsApi.remove(a.id);
        setDeleted((prev) => [a, ...prev.filter((x) => x.id !== a.id)].slice(0, 20));
        refresh();
        return `Deleted “${a.file_name}”. Restore it from the bar above the grid.`;
      },
    });
  const restore = (a: Asset) =>
    void runAction(async () => {
      await assetsApi.restore(a.id);
      setDeleted((prev) => prev.filter((x) => x.id !== a.id));
      refresh();
      return `Restored “${a.file_name}” with its labels.`;
    });
  // Esc closes the upload panel (it floats over the grid).
  useEffect(() => {
    if (!showUpload) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) setShowUpload(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [showUpload]);
  useFillWindow(screen, [!!pager.error.value]);

  useEffect(() => {
    if (empty && manage) setShowUpload(true);
  }, [empty, manage]);

  const onRange = useCallback((_start: number, end: number) => pager.ensure(end - 1), [pager]);
  const getItem = useCallback((i: number) => items[i], [items]);

  return (
    <div class="assets-screen" ref={screen}>
      <div class="assets-bar">
        <nav class="assets-filters" aria-label="Filter assets">
          {ASSET_FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              class={`af-tab${f === filter ? ' af-active' : ''}`}
              aria-pressed={f === filter}
              onClick={() => setFilter(f)}
              data-filter={f}
            >
              {FILTER_LABEL[f]}
              <span class="af-count mono">{counts ? formatCount(counts[f]) : '·'}</span>
            </button>
          ))}
        </nav>
        <IdSelect
          class="assets-cat"
          label="Category"
          any="Any category"
          value={categoryId}
          onChange={setCategoryId}
          options={cats.filter((c) => c.state !== 'deleted').map((c) => ({ id: c.id, text: c.name }))}
        />
        {vids.length > 0 && (
          <IdSelect
            class="assets-cat assets-video"
            label="Video"
            any="Any source"
            value={videoId}
            onChange={setVideoId}
            options={vids.map((v) => ({ id: v.id, text: `${v.file_name} (video ${v.id})` }))}
          />
        )}
        <select class="assets-cat assets-sort" aria-label="Sort" value={sort} onChange={(e) => go({ sort: e.currentTarget.value as AssetSort })}>
          {(Object.keys(SORT_LABEL) as AssetSort[]).map((k) => (
            <option key={k} value={k}>
              {SORT_LABEL[k]}
            </option>
          ))}
        </select>
        <input
          type="search"
          class="assets-search"
          aria-label="Search file names"
          placeholder="Search file names"
          maxLength={255}
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        <span class="assets-total muted" data-testid="asset-count">
          {counts ? `${formatCount(total)} ${total === 1 ? 'asset' : 'assets'}` : 'Loading…'}
        </span>
        {manage && (
          <button
            type="button"
            class={`btn btn-sm${showUpload ? '' : ' btn-primary'}`}
            aria-expanded={showUpload}
            onClick={() => setShowUpload(!showUpload)}
          >
            {showUpload ? 'Hide upload' : 'Upload images or video'}
          </button>
        )}
      </div>

      {manage && showUpload && (
        <div class="upload-drawer" role="region" aria-label="Upload">
          <button type="button" class="btn btn-ghost btn-sm upload-close" onClick={() => setShowUpload(false)} aria-label="Close the upload panel">
            ✕
          </button>
          <UploadPanel queue={queue} />
          <VideoUploadPanel uploads={videoUploads} />
          {(project.task_type as string) === 'segmentation' && <ImportPanel projectId={pid} />}
        </div>
      )}

      {pager.error.value && (
        <div class="notice notice-error" role="alert">
          {pager.error.value}{' '}
          <button type="button" class="btn btn-sm" onClick={refresh}>
            Try again
          </button>
        </div>
      )}

      {deleted.length > 0 && (
        <div class="assets-deleted" role="region" aria-label="Deleted images">
          <span class="muted small">Deleted:</span>
          {deleted.map((a) => (
            <span key={a.id} class="assets-deleted-item small" data-deleted-asset={a.id}>
              {a.file_name}{' '}
              <button type="button" class="btn btn-sm" aria-label={`Restore ${a.file_name}`} onClick={() => restore(a)}>
                Restore
              </button>
            </span>
          ))}
        </div>
      )}
      {confirm.dialog}

      <div class="assets-grid-wrap">
        {empty ? (
          <div class="assets-empty muted">
            {manage ? 'No images yet. Drop some on the upload panel above.' : 'No images yet.'}
          </div>
        ) : pager.loaded.value && total === 0 ? (
          <div class="assets-empty muted">{q ? `No file name holds “${q}” under this filter.` : 'No assets match this filter.'}</div>
        ) : (
          <AssetGrid
            count={total}
            getItem={getItem}
            onRange={onRange}
            hrefFor={(a) => labelPath(pid, filter, categoryId, a.id)}
            onOpen={(a) => navigate(labelPath(pid, filter, categoryId, a.id))}
            label={`${FILTER_LABEL[filter]} assets`}
            categoryName={nameOf}
            tileAction={
              manage
                ? (a) => (
                    <button type="button" aria-label={`Delete ${a.file_name}`} title="Delete this image" onClick={() => askDelete(a)}>
                      ×
                    </button>
                  )
                : undefined
            }
          />
        )}
      </div>
    </div>
  );
}
