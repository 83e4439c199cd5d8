// Register a model: the .onnx file and its metadata, typed in the form or
// read from the metadata file the training script wrote (and checked here
// before a byte is sent), with the upload's progress and the server's
// refusal in words.
import { useRef, useState } from 'preact/hooks';
import { registerModel, type Model } from '../../api/models';
import type { Category, Project } from '../../api/types';
import { FormError } from '../../components/FormError';
import { formatBytes } from '../../lib/bytes';
import {
  defaultMetadataForm,
  formFromMetadataText,
  isModelTaskType,
  metadataFromForm,
  registerErrorMessage,
  type MetadataForm,
} from '../../lib/models';
import { taskTypeLabel } from '../../lib/taskTypes';

interface Props {
  project: Project;
  categories: readonly Category[];
  categoriesHash: string;
  onRegistered: (m: Model) => void;
}

/** One text field of the form. */
function Input(props: { id: string; label: string; value: string; onValue: (v: string) => void; hint?: string; mono?: boolean; wide?: boolean }) {
  return (
    <label class={props.wide ? 'mr-field mr-wide' : 'mr-field'} for={props.id}>
      <span class="field-label">{props.label}</span>
      <input
        id={props.id}
        name={props.id}
        type="text"
        class={props.mono ? 'mono' : undefined}
        value={props.value}
        spellcheck={false}
        autocomplete="off"
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
      {props.hint && (
        <span class="field-hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      )}
    </label>
  );
}

export function RegisterModelPanel({ project, categories, categoriesHash, onRegistered }: Props) {
  const fileInput = useRef<HTMLInputElement>(null);
  const metaInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [metaName, setMetaName] = useState('');
  const [form, setForm] = useState<MetadataForm>(() => defaultMetadataForm('', project.task_type, categoriesHash, categories));
  const [touchedOutputs, setTouchedOutputs] = useState(false);
  const [error, setError] = useState('');
  const [sent, setSent] = useState<number | null>(null);
  const abort = useRef<AbortController | null>(null);
  const supported = isModelTaskType(project.task_type);
  const uploading = sent !== null;

  // The defaults follow the project until the form is edited (categories load after the panel).
  const base = defaultMetadataForm(form.name, project.task_type, categoriesHash, categories);
  const shown: MetadataForm = {
    ...form,
    labels_hash: form.labels_hash || base.labels_hash,
    outputs: touchedOutputs ? form.outputs : form.outputs || base.outputs,
  };
  const set = (patch: Partial<MetadataForm>) => setForm({ ...shown, ...patch });

  async function readMetadata(f: File) {
    const read = formFromMetadataText(await f.text(), shown);
    if (typeof read === 'string') {
      setError(`${f.name}: ${read}`);
      return;
    }
    setMetaName(f.name);
    setTouchedOutputs(true);
    setForm(read);
    setError('');
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (uploading) return;
    if (!file) {
      setError('Choose the model’s .onnx file first.');
      return;
    }
    const metadata = metadataFromForm(shown, categories);
    if (typeof metadata === 'string') {
      setError(metadata);
      return;
    }
    setError('');
    setSent(0);
    const ctl = new AbortController();
    abort.current = ctl;
    const out = await registerModel(project.id, file, metadata, setSent, ctl.signal);
    abort.current = null;
    setSent(null);
    if (!out.ok) {
      setError(registerErrorMessage(out.error.code, out.error.message));
      return;
    }
    setFile(null);
    setMetaName('');
    setTouchedOutputs(false);
    setForm(defaultMetadataForm('', project.task_type, categoriesHash, categories));
    onRegistered(out.model);
  }

  const frac = file && sent !== null ? Math.min(1, sent / Math.max(1, file.size)) : 0;
  return (
    <form class="model-register" aria-label="Register a model" onSubmit={(e) => void submit(e)}>
      <div class="mr-head">
        <h2 class="mr-title">Register a model</h2>
        <span class="muted small">
          An ONNX classifier trained on an export of this project ({taskTypeLabel(project.task_type)}).
        </span>
      </div>
      {!supported && (
        <p class="notice" role="note">
          Models for box projects cannot be registered yet: this server runs classification models only.
        </p>
      )}
      <div class="mr-files">
        <button type="button" class="btn btn-sm" onClick={() => fileInput.current?.click()} disabled={uploading}>
          Choose .onnx…
        </button>
        <span class={file ? 'mr-file' : 'mr-file muted'} data-testid="model-file" title={file?.name}>
          {file ? `${file.name} · ${formatBytes(file.size)}` : 'No model file chosen'}
        </span>
        <button type="button" class="btn btn-sm" onClick={() => metaInput.current?.click()} disabled={uploading}>
          Load metadata file…
        </button>
        <span class={metaName ? 'mr-file' : 'mr-file muted'} data-testid="metadata-file">
          {metaName || 'or fill in the form'}
        </span>
        <input
          ref={fileInput}
          type="file"
          accept=".onnx,application/octet-stream"
          class="sr-only"
          tabIndex={-1}
          aria-label="Choose the model file"
          data-testid="model-file-input"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0] ?? null;
            setFile(f);
            if (f && !form.name) setForm({ ...shown, name: f.name.replace(/\.onnx$/i, '').slice(0, 200) });
            setError('');
            e.currentTarget.value = '';
          }}
        />
        <input
          ref={metaInput}
          type="file"
          accept=".json,application/json"
          class="sr-only"
          tabIndex={-1}
          aria-label="Choose the metadata file"
          data-testid="metadata-file-input"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            if (f) void readMetadata(f);
            e.currentTarget.value = '';
          }}
        />
      </div>
      <fieldset class="mr-grid" disabled={uploading}>
        <legend class="sr-only">Metadata</legend>
        <Input id="mr-name" label="Name" value={shown.name} onValue={(v) => set({ name: v })} />
        <Input
          id="mr-hash"
          label="labels_hash"
          mono
          wide
          value={shown.labels_hash}
          onValue={(v) => set({ labels_hash: v })}
          hint="The categories_hash of the export it was trained on (its manifest.json). Filled with the project’s current one."
        />
        <Input id="mr-width" label="Input width" value={shown.width} onValue={(v) => set({ width: v })} />
        <Input id="mr-height" label="Input height" value={shown.height} onValue={(v) => set({ height: v })} />
        <label class="mr-field" for="mr-channels">
          <span class="field-label">Channels</span>
          <select id="mr-channels" value={shown.channels} onChange={(e) => set({ channels: e.currentTarget.value as 'rgb' | 'bgr' })}>
            <option value="rgb">RGB</option>
            <option value="bgr">BGR</option>
          </select>
        </label>
        <label class="mr-field" for="mr-layout">
          <span class="field-label">Layout</span>
          <select id="mr-layout" value={shown.layout} onChange={(e) => set({ layout: e.currentTarget.value as 'nchw' | 'nhwc' })}>
            <option value="nchw">NCHW</option>
            <option value="nhwc">NHWC</option>
          </select>
        </label>
        <Input id="mr-scale" label="Scale" mono value={shown.scale} onValue={(v) => set({ scale: v })} hint="1/255 maps 0..255 to 0..1" />
        <Input id="mr-mean" label="Mean (3)" mono value={shown.mean} onValue={(v) => set({ mean: v })} />
        <Input id="mr-std" label="Std (3)" mono value={shown.std} onValue={(v) => set({ std: v })} />
        <Input
          id="mr-outputs"
          label="Outputs"
          mono
          wide
          value={shown.outputs}
          onValue={(v) => {
            setTouchedOutputs(true);
            set({ outputs: v });
          }}
          hint="The category id of each output position, in class_index order (the export’s categories by id)."
        />
      </fieldset>
      <div class="mr-foot">
        {uploading && file ? (
          <>
            <span
              class="up-bar mr-bar"
              role="progressbar"
              aria-label="Model upload"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(frac * 100)}
              data-testid="model-upload-progress"
            >
              <span style={{ width: `${Math.round(frac * 100)}%` }} />
            </span>
            <span class="muted small mono">
              {frac >= 1 ? 'Checking the model…' : `${formatBytes(sent ?? 0)} / ${formatBytes(file.size)}`}
            </span>
            <button type="button" class="btn btn-sm" onClick={() => abort.current?.abort()}>
              Cancel
            </button>
          </>
        ) : (
          <button type="submit" class="btn btn-primary" disabled={!supported} data-testid="register-model">
            Register model
          </button>
        )}
      </div>
      <FormError message={error} />
    </form>
  );
}
