// The Models tab: register a model, list them (labels_hash warnings, the
// active one), run one on many images, rank the unlabeled ones, and see
// what labelers did with the suggestions.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../../api/errors';
import { modelsApi, type Model, type ModelList, type ModelRun } from '../../api/models';
import { videos as videosApi, type Video } from '../../api/videos';
import { SuggestionStats } from '../../components/suggestions/SuggestionStats';
import { canManage } from '../../lib/roles';
import { runPollDelay, upsertRun } from '../../lib/models';
import type { ProjectTabProps } from '../../routes';
import { projectCategories } from '../../state/projectCategories';
import { useResource } from '../../state/resource';
import { showError, showToast } from '../../state/toasts';
import { ModelTable } from './ModelTable';
import { RegisterModelPanel } from './RegisterModelPanel';
import { BatchForm, RunList, SamplingForm } from './RunPanels';
import './models.css';

const EMPTY: ModelList = { models: [], categories_hash: '', inference_available: true };

export function ModelsScreen({ project }: ProjectTabProps) {
  const pid = project.id;
  const manager = canManage(project);
  const list = useResource(() => modelsApi.list(pid), EMPTY, [pid]);
  const runsRes = useResource(() => modelsApi.runs(pid), [] as ModelRun[], [pid]);
  const vids = useResource(() => videosApi.list(pid), [] as Video[], [pid]);
  const categories = projectCategories(pid);
  const cats = categories.list.value;
  const { models, categories_hash: categoriesHash, inference_available: available } = list.value.value;
  const runs = runsRes.value.value;
  const [busy, setBusy] = useState<number | null>(null);
  const [statsKey, setStatsKey] = useState(0);
  const attempt = useRef(0);

  useEffect(() => {
    void categories.refresh();
  }, [categories]);

  // While a run is queued or running, read the runs again (with back-off); the counts once it ends.
  useEffect(() => {
    const delay = runPollDelay(runs, attempt.current);
    if (delay === null) {
      if (attempt.current > 0) setStatsKey((k) => k + 1);
      attempt.current = 0;
      return;
    }
    const t = setTimeout(() => {
      attempt.current++;
      void runsRes.load();
    }, delay);
    return () => clearTimeout(t);
  }, [runs, runsRes]);

  async function activate(m: Model, active: boolean) {
    setBusy(m.id);
    try {
      await modelsApi.setActive(pid, m.id, active);
      await list.load();
    } catch (e) {
      showError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  }

  function onStarted(r: ModelRun) {
    attempt.current = 0;
    runsRes.set((prev) => upsertRun(prev, r));
  }

  async function cancel(r: ModelRun) {
    try {
      const after = await modelsApi.cancelRun(pid, r.id);
      runsRes.set((prev) => upsertRun(prev, after));
    } catch (e) {
      showError(errorMessage(e));
    }
  }

  return (
    <section class="models" aria-label="Models">
      {list.loaded.value && !available && (
        <div class="notice notice-error" role="alert" data-testid="inference-unavailable">
          This server cannot run models: ONNX Runtime is not installed (scripts/install-deps installs it). Models cannot be
          registered and give no suggestions; the rest of the app works as usual.
        </div>
      )}
      {list.error.value && (
        <div class="notice notice-error" role="alert">
          {list.error.value}{' '}
          <button type="button" class="btn btn-sm" onClick={() => void list.load()}>
            Retry
          </button>
        </div>
      )}
      {manager && available && (
        <RegisterModelPanel
          project={project}
          categories={cats}
          categoriesHash={categoriesHash}
          onRegistered={(m) => {
            showToast(`Model “${m.name}” registered${m.active ? ' and active' : ''}.`);
            void list.load();
          }}
        />
      )}
      {!manager && <p class="muted small">Only a manager of this project registers models and starts runs.</p>}
      <ModelTable
        models={models}
        categoriesHash={categoriesHash}
        loaded={list.loaded.value}
        canManage={manager}
        busy={busy}
        onActivate={(m, on) => void activate(m, on)}
      />
      {(models.length > 0 || runs.length > 0) && (
        <section class="model-runs" aria-label="Runs">
          <h2 class="section-title">Runs</h2>
          {manager && available && (
            <div class="run-forms">
              <BatchForm projectId={pid} models={models} categories={cats} videos={vids.value.value} onStarted={onStarted} />
              <SamplingForm projectId={pid} models={models} onStarted={onStarted} />
            </div>
          )}
          <RunList projectId={pid} runs={runs} models={models} canManage={manager} onCancel={(r) => void cancel(r)} />
        </section>
      )}
      {models.length > 0 && <SuggestionStats projectId={pid} categories={cats} refreshKey={statsKey} />}
    </section>
  );
}
