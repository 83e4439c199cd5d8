import { useEffect, useState } from 'preact/hooks';
import {
  EXPORT_STATUSES,
  exportsApi,
  type AnnotationStatus,
  type ExportLayout,
  type ExportVersion,
  type SelectionCounts,
} from '../../api/exports';
import type { TaskType } from '../../api/types';
import { errorMessage } from '../../api/errors';
import { FormError } from '../../components/FormError';
import {
  DEFAULT_SELECTION,
  DEFAULT_SPLIT_FORM,
  STATUS_LABELS,
  createErrorMessage,
  selectionSummary,
  splitFromForm,
  toggleStatus,
  type SplitForm,
} from '../../state/exports';

interface Props {
  projectId: number;
  /** The ImageFolder layout is offered to single-label classification projects. */
  taskType?: TaskType;
  /** Bumped after a creation so the counts are fetched again. */
  refreshKey: number;
  onCreated: (ex: ExportVersion) => void;
}

/** The statuses an ImageFolder export cannot hold: their images have no class. */
const NO_CLASS: readonly AnnotationStatus[] = ['unlabeled', 'skipped'];

export function CreateExportPanel({ projectId, taskType, refreshKey, onCreated }: Props) {
  const [selected, setSelected] = useState<AnnotationStatus[]>([...DEFAULT_SELECTION]);
  const [counts, setCounts] = useState<SelectionCounts | null>(null);
  const [previewError, setPreviewError] = useState('');
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState('');
  const [splitOn, setSplitOn] = useState(false);
  const [splitForm, setSplitForm] = useState<SplitForm>({ ...DEFAULT_SPLIT_FORM });
  const split = splitOn ? splitFromForm(splitForm) : null;
  const [layout, setLayout] = useState<ExportLayout>('coco');
  const folders = taskType === 'classification_single' && layout === 'imagefolder';
  const layoutError =
    folders && selected.some((x) => NO_CLASS.includes(x))
      ? 'In the ImageFolder layout every image goes in the folder of its class: untick Skipped and Unlabeled.'
      : '';
  const splitError = typeof split === 'string' ? split : layoutError;

  // How many images the selection holds, before anything is created.
  useEffect(() => {
    // No status chosen: the per-status counts are still asked for (of every
    // status), so the choices keep their numbers instead of "–".
    const asked = selected.length ? selected : [...EXPORT_STATUSES];
    const ctl = new AbortController();
    const t = setTimeout(() => {
      exportsApi
        .preview(projectId, asked, ctl.signal)
        .then((r) => {
          setCounts(r.counts);
          setPreviewError('');
        })
        .catch((e: unknown) => {
          if (!ctl.signal.aborted) setPreviewError(errorMessage(e));
        });
    }, 120);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [projectId, selected, refreshKey]);

  async function onSubmit(e: Event) {
    e.preventDefault();
    if (creating || selected.length === 0 || typeof split === 'string') return;
    setCreating(true);
    setCreateError('');
    try {
      onCreated(await exportsApi.create(projectId, selected, split, folders ? 'imagefolder' : 'coco'));
    } catch (err) {
      setCreateError(createErrorMessage(err));
    } finally {
      setCreating(false);
    }
  }

  const empty = selected.length === 0 || (counts !== null && counts.images === 0);
  return (
    <form class="export-create" onSubmit={(e) => void onSubmit(e)} aria-label="Create a dataset version">
      <fieldset class="export-statuses">
        <legend class="field-label">Include images whose status is</legend>
        {EXPORT_STATUSES.map((s) => (
          <label key={s} class="check export-status">
            <input
              type="checkbox"
              name={`status-${s}`}
              checked={selected.includes(s)}
              onChange={(e) => setSelected(toggleStatus(selected, s, e.currentTarget.checked, EXPORT_STATUSES))}
            />
            {STATUS_LABELS[s]}
            <span class="badge badge-muted mono">{counts ? counts.by_status[s].toLocaleString('en-US') : '–'}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="export-split-fields">
        <label class="check">
          <input type="checkbox" name="split-on" checked={splitOn} onChange={(e) => setSplitOn(e.currentTarget.checked)} />
          Split into train / val / test
        </label>
        {splitOn && (
          <div class="export-split-inputs">
            {(['train', 'val', 'test'] as const).map((k) => (
              <label key={k} class="export-split-part">
                {k} %
                <input
                  type="number"
                  name={`split-${k}`}
                  min={0}
                  max={100}
                  step="any"
                  value={splitForm[k]}
                  onInput={(e) => setSplitForm({ ...splitForm, [k]: e.currentTarget.value })}
                />
              </label>
            ))}
            <label class="export-split-part">
              seed
              <input
                type="text"
                name="split-seed"
                maxLength={100}
                value={splitForm.seed}
                onInput={(e) => setSplitForm({ ...splitForm, seed: e.currentTarget.value })}
              />
            </label>
            <span class="small muted">
              Each image's part comes from its content and the seed: it stays in its part in later versions with the same
              seed and parts.
            </span>
          </div>
        )}
      </fieldset>
      {taskType === 'classification_single' && (
        <label class="export-layout small">
          <span class="field-label">Files</span>{' '}
          <select name="layout" value={layout} onChange={(e) => setLayout(e.currentTarget.value as ExportLayout)}>
            <option value="coco">images/ with annotations.json (COCO-style)</option>
            <option value="imagefolder">ImageFolder: train/&lt;class&gt;/… (torchvision)</option>
          </select>
        </label>
      )}
      <div class="export-create-foot">
        <span class="export-summary" aria-live="polite" data-testid="export-summary">
          {selected.length === 0 ? 'Choose at least one status.' : counts ? selectionSummary(counts) : 'Counting…'}
        </span>
        <button type="submit" class="btn btn-primary" disabled={creating || empty || splitError !== ''}>
          {creating ? 'Creating…' : 'Create version'}
        </button>
      </div>
      <FormError message={splitError || previewError || createError} />
    </form>
  );
}
