// The Assets tab: upload panel, filter tabs with counts, and the
// virtualized thumbnail grid. A tile opens the labeling screen.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ASSET_FILTERS, assets as assetsApi, uploadFile } from '../../api/assets';
import type { AssetFilter } from '../../api/assets';
import { uploadVideo, videos as videosApi } from '../../api/videos';
import type { Video } from '../../api/videos';
import { AssetGrid } from '../../components/grid/AssetGrid';
import { formatCount } from '../../lib/bytes';
import { FILTER_LABEL } from '../../lib/status';
import { navigate } from '../../router';
import { labelPath, type ProjectTabProps } from '../../routes';
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

export function AssetsScreen({ project }: ProjectTabProps) {
  const pid = project.id;
  const [filter, setFilter] = useState<AssetFilter>('all');
  const [categoryId, setCategoryId] = useState<number | null>(null);
  const categories = projectCategories(pid);
  const cats = categories.list.value;
  const [videoId, setVideoId] = useState<number | null>(null);
  const videoList = useMemo(() => createResource(() => videosApi.list(pid), [] as Video[]), [pid]);
  const vids = videoList.value.value;
  const [showUpload, setShowUpload] = useState(false);
  const refreshTimer = useRef<number>(0);

  const fetcher = useCallback(
    (f: AssetFilter, c: number | null, v: number | null = null) =>
      (cursor: string | null, limit: number, signal: AbortSignal) =>
        assetsApi.list(pid, { status: f, categoryId: c, videoId: v, cursor, limit }, signal),
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
    pager.reset(fetcher(filter, categoryId, videoId));
  }, [pager, fetcher, filter, categoryId, videoId]);

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

      <div class="assets-grid-wrap">
        {empty ? (
          <div class="assets-empty muted">
            {manage ? 'No images yet. Drop some on the upload panel above.' : 'No images yet.'}
          </div>
        ) : pager.loaded.value && total === 0 ? (
          <div class="assets-empty muted">No assets match this filter.</div>
        ) : (
          <AssetGrid
            count={total}
            getItem={getItem}
            onRange={onRange}
            hrefFor={(a) => labelPath(pid, filter, categoryId, a.id)}
            onOpen={(a) => navigate(labelPath(pid, filter, categoryId, a.id))}
            label={`${FILTER_LABEL[filter]} assets`}
            categoryName={nameOf}
          />
        )}
      </div>
    </div>
  );
}
