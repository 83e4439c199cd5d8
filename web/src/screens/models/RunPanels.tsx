// Runs of the models: a batch suggestion run (a model on the images that
// match some criteria), a sampling run (the unlabeled images ranked by how
// useful labeling each would be), and the list of runs with their progress,
// Cancel, and the labeling queue each one feeds.
import { useState } from 'preact/hooks';
import { ASSET_FILTERS, type AssetFilter } from '../../api/assets';
import { errorMessage } from '../../api/errors';
import { modelsApi, type BatchCriteria, type Model, type ModelRun, type SamplingStrategy } from '../../api/models';
import type { Category } from '../../api/types';
import type { Video } from '../../api/videos';
import { FormError } from '../../components/FormError';
import { Link } from '../../components/Link';
import { formatDateTime } from '../../lib/format';
import { RUN_STATE_LABEL, STRATEGY_LABEL, isRunActive, runPercent, runSummary, samplingProblem, strategyModels } from '../../lib/models';
import { FILTER_LABEL } from '../../lib/status';
import { labelPath } from '../../routes';

const STRATEGIES: readonly SamplingStrategy[] = ['entropy', 'margin', 'disagreement', 'coverage'];

/** Only models whose labels match the categories can run. */
const usable = (models: readonly Model[]) => models.filter((m) => m.labels_hash_ok);

export function BatchForm({
  projectId,
  models,
  categories,
  videos,
  onStarted,
}: {
  projectId: number;
  models: readonly Model[];
  categories: readonly Category[];
  videos: readonly Video[];
  onStarted: (r: ModelRun) => void;
}) {
  const ok = usable(models);
  const [modelId, setModelId] = useState<number | null>(null);
  const [status, setStatus] = useState<AssetFilter>('unlabeled');
  const [videoId, setVideoId] = useState<number | null>(null);
  const [categoryId, setCategoryId] = useState<number | null>(null);
  const [limit, setLimit] = useState('1000');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const chosen = ok.find((m) => m.id === modelId) ?? ok.find((m) => m.active) ?? ok[0];

  async function submit(e: Event) {
    e.preventDefault();
    if (!chosen || busy) return;
    const n = Number(limit.trim());
    if (!Number.isInteger(n) || n < 1 || n > 100000) {
      setError('The limit is a whole number of images from 1 to 100,000.');
      return;
    }
    const criteria: BatchCriteria = { status, limit: n };
    if (videoId) criteria.video_id = videoId;
    if (categoryId) criteria.category_id = categoryId;
    setBusy(true);
    setError('');
    try {
      onStarted(await modelsApi.batch(projectId, chosen.id, criteria));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="run-form" aria-label="Suggest labels in a batch" onSubmit={(e) => void submit(e)}>
      <h3 class="run-form-title">Suggest labels for many images</h3>
      <div class="run-fields">
        <label>
          <span class="field-label">Model</span>
          <select
            name="batch-model"
            value={chosen?.id ?? ''}
            onChange={(e) => setModelId(Number(e.currentTarget.value))}
            disabled={ok.length === 0}
          >
            {ok.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
                {m.active ? ' (active)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="field-label">Status</span>
          <select name="batch-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as AssetFilter)}>
            {ASSET_FILTERS.map((f) => (
              <option key={f} value={f}>
                {FILTER_LABEL[f]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="field-label">Video</span>
          <select name="batch-video" value={videoId ?? ''} onChange={(e) => setVideoId(Number(e.currentTarget.value) || null)}>
            <option value="">Any image</option>
            {videos.map((v) => (
              <option key={v.id} value={v.id}>
                {v.file_name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="field-label">Category</span>
          <select
            name="batch-category"
            value={categoryId ?? ''}
            onChange={(e) => setCategoryId(Number(e.currentTarget.value) || null)}
          >
            <option value="">Any</option>
            {categories
              .filter((c) => c.state !== 'deleted')
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          <span class="field-label">At most</span>
          <input name="batch-limit" type="text" inputMode="numeric" class="mono run-limit" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn btn-primary" disabled={!chosen || busy} data-testid="start-batch">
          {busy ? 'Starting…' : 'Start'}
        </button>
      </div>
      {ok.length === 0 && <p class="muted small">No model whose labels match the categories.</p>}
      <FormError message={error} />
    </form>
  );
}

export function SamplingForm({ projectId, models, onStarted }: { projectId: number; models: readonly Model[]; onStarted: (r: ModelRun) => void }) {
  const ok = usable(models);
  const [strategy, setStrategy] = useState<SamplingStrategy>('entropy');
  const [picked, setPicked] = useState<number[] | null>(null);
  const [limit, setLimit] = useState('1000');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const want = strategyModels(strategy);
  // By default: the active model for one, the two newest for disagreement, none for coverage.
  const fallback = want.max === 0 ? [] : want.min >= 2 ? ok.slice(0, 2).map((m) => m.id) : [(ok.find((m) => m.active) ?? ok[0])?.id ?? 0].filter(Boolean);
  const ids = (picked ?? fallback).filter((id) => ok.some((m) => m.id === id)).slice(0, want.max);
  const problem = samplingProblem(strategy, ids);

  const toggle = (id: number, on: boolean) => {
    if (want.max === 1) setPicked([id]);
    else setPicked(on ? [...ids, id] : ids.filter((x) => x !== id));
  };

  async function submit(e: Event) {
    e.preventDefault();
    if (busy || problem) return;
    const n = Number(limit.trim());
    if (!Number.isInteger(n) || n < 1 || n > 100000) {
      setError('The limit is a whole number of images from 1 to 100,000.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      onStarted(await modelsApi.sampling(projectId, strategy, ids, n));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="run-form" aria-label="Rank the unlabeled images" onSubmit={(e) => void submit(e)}>
      <h3 class="run-form-title">Rank the unlabeled images (most useful first)</h3>
      <div class="run-fields">
        <label>
          <span class="field-label">Strategy</span>
          <select
            name="sampling-strategy"
            value={strategy}
            onChange={(e) => {
              setStrategy(e.currentTarget.value as SamplingStrategy);
              setPicked(null);
            }}
          >
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {STRATEGY_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        {want.max > 0 && (
          <fieldset class="run-models">
            <legend class="field-label">{want.max === 1 ? 'Model' : 'Models'}</legend>
            {ok.length === 0 && <span class="muted small">No model whose labels match the categories.</span>}
            {ok.map((m) => (
              <label key={m.id} class="check">
                <input
                  type={want.max === 1 ? 'radio' : 'checkbox'}
                  name="sampling-model"
                  checked={ids.includes(m.id)}
                  onChange={(e) => toggle(m.id, e.currentTarget.checked)}
                />
                {m.name}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          <span class="field-label">At most</span>
          <input name="sampling-limit" type="text" inputMode="numeric" class="mono run-limit" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || problem !== null} data-testid="start-sampling">
          {busy ? 'Starting…' : 'Rank'}
        </button>
      </div>
      {problem && ok.length > 0 && <p class="muted small">{problem}</p>}
      <FormError message={error} />
    </form>
  );
}

function runWhat(r: ModelRun, names: Map<number, string>): string {
  const models = r.model_ids.map((id) => names.get(id) ?? `#${id}`).join(', ');
  if (r.kind === 'sampling') return `Sampling · ${r.strategy ?? ''}${models ? ` · ${models}` : ''}`;
  const c = r.criteria ?? {};
  const parts = [`Batch · ${models}`, FILTER_LABEL[(c.status ?? 'unlabeled') as AssetFilter] ?? c.status];
  if (c.video_id) parts.push(`video ${c.video_id}`);
  if (c.category_id) parts.push(`category ${c.category_id}`);
  return parts.join(' · ');
}

export function RunList({
  projectId,
  runs,
  models,
  canManage,
  onCancel,
}: {
  projectId: number;
  runs: readonly ModelRun[];
  models: readonly Model[];
  canManage: boolean;
  onCancel: (r: ModelRun) => void;
}) {
  const names = new Map(models.map((m) => [m.id, m.name]));
  const latestSampling = runs.find((r) => r.kind === 'sampling' && r.state === 'done')?.id;
  if (runs.length === 0) return <p class="muted small">No runs yet.</p>;
  return (
    <ul class="run-list" aria-label="Runs" data-testid="run-list">
      {runs.map((r) => {
        const pct = runPercent(r);
        const active = isRunActive(r);
        const status = (r.criteria?.status ?? 'unlabeled') as AssetFilter;
        return (
          <li key={r.id} class={`run-row run-${r.state}`} data-run-id={r.id} data-state={r.state}>
            <span class="run-what">{runWhat(r, names)}</span>
            <span class={`badge ${r.state === 'failed' ? 'badge-deleted' : r.state === 'done' ? 'badge-active' : 'badge-accent'}`}>
              {RUN_STATE_LABEL[r.state]}
            </span>
            <span
              class="progress run-progress"
              role="progressbar"
              aria-label={`Run ${r.id} progress`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
            >
              <span class="progress-bar" style={{ width: `${pct}%` }} />
            </span>
            <span class="run-count mono small" data-testid="run-count">
              {runSummary(r)}
            </span>
            <span class="run-actions">
              {active && canManage && (
                <button type="button" class="btn btn-sm" onClick={() => onCancel(r)} data-testid="cancel-run">
                  Cancel
                </button>
              )}
              {r.kind === 'batch' && !active && r.done > r.failed && (
                <Link href={labelPath(projectId, status, null, null, 'suggested')}>Review the suggestions</Link>
              )}
              {r.kind === 'sampling' && r.id === latestSampling && (
                <Link href={labelPath(projectId, 'unlabeled', null, null, 'sampling')}>Label in this order</Link>
              )}
            </span>
            <span class="run-when muted small">
              {formatDateTime(r.created_at)}
              {r.created_by ? ` · ${r.created_by}` : ''}
            </span>
            {r.error && (
              <p class="run-error small" role="note">
                {r.error}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
