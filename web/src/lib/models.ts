// Model registration and runs without the DOM: the metadata form (its
// defaults, reading a metadata file into it, turning it into the metadata
// the server takes), the labels_hash rule as shown, and run progress.
// The server checks everything again and has the last word.
import type { Category, TaskType } from '../api/types';
import type { Model, ModelMetadata, ModelRun, ModelTaskType, RunState, SamplingStrategy } from '../api/models';

/** The metadata form's fields, as typed. */
export interface MetadataForm {
  name: string;
  task_type: ModelTaskType;
  labels_hash: string;
  width: string;
  height: string;
  channels: 'rgb' | 'bgr';
  layout: 'nchw' | 'nhwc';
  /** A number or a fraction ("1/255"). */
  scale: string;
  /** Three numbers, separated by commas or spaces. */
  mean: string;
  std: string;
  /** The category id of each output position, in order. */
  outputs: string;
}

/** The task types a model can have (box models are not registered yet). */
export const MODEL_TASK_TYPES: readonly ModelTaskType[] = ['classification_single', 'classification_multi'];

export function isModelTaskType(t: TaskType | string): t is ModelTaskType {
  return (MODEL_TASK_TYPES as readonly string[]).includes(t);
}

/** "sha256:ABC…" or "abc…" → "abc…" (the lower-case hex, for display and comparison). */
export function bareHash(h: string | null | undefined): string {
  const t = (h ?? '').trim().toLowerCase();
  return t.startsWith('sha256:') ? t.slice(7) : t;
}

/** A hash as the API writes it ("sha256:" + 64 hex), whether pasted with or without its prefix. */
export function fullHash(h: string | null | undefined): string {
  const bare = bareHash(h);
  return bare ? `sha256:${bare}` : '';
}

/** Whether a model was trained on the project's current categories (the hashes compared as the API does). */
export function labelsMatch(labelsHash: string, categoriesHash: string): boolean {
  return bareHash(labelsHash) !== '' && bareHash(labelsHash) === bareHash(categoriesHash);
}

/** The model's warning as shown: the server's, else ours when the hashes differ, else null. */
export function modelWarning(m: Pick<Model, 'labels_hash' | 'labels_hash_ok' | 'warning'>, categoriesHash: string): string | null {
  if (m.warning) return m.warning;
  if (!m.labels_hash_ok || !labelsMatch(m.labels_hash, categoriesHash)) {
    return 'Its labels_hash is not the project’s current categories_hash: the categories changed since it was trained, so it gives no suggestions. Register a model trained on a new export.';
  }
  return null;
}

/** The categories of an export, in class_index order (by id, deleted ones left out). */
export function exportOrder(categories: readonly Category[]): Category[] {
  return categories.filter((c) => c.state !== 'deleted').sort((a, b) => a.id - b.id);
}

/** ImageNet's normalisation, the usual one for a pretrained backbone. */
export const DEFAULT_INPUT = { width: '224', height: '224', scale: '1/255', mean: '0.485, 0.456, 0.406', std: '0.229, 0.224, 0.225' };

/** A fresh form: named after the file, the project's task type and categories_hash, outputs in class_index order. */
export function defaultMetadataForm(fileName: string, taskType: TaskType, categoriesHash: string, categories: readonly Category[]): MetadataForm {
  return {
    name: fileName.replace(/\.onnx$/i, '').slice(0, 200),
    task_type: isModelTaskType(taskType) ? taskType : 'classification_single',
    labels_hash: fullHash(categoriesHash),
    width: DEFAULT_INPUT.width,
    height: DEFAULT_INPUT.height,
    channels: 'rgb',
    layout: 'nchw',
    scale: DEFAULT_INPUT.scale,
    mean: DEFAULT_INPUT.mean,
    std: DEFAULT_INPUT.std,
    outputs: exportOrder(categories)
      .map((c) => c.id)
      .join(', '),
  };
}

/** A number, or a fraction "a/b", from what was typed; NaN when it is neither. */
export function parseNumber(s: string): number {
  const t = s.trim();
  const frac = /^([+-]?[0-9.eE+-]+)\s*\/\s*([0-9.eE+-]+)$/.exec(t);
  if (frac) {
    const a = Number(frac[1]);
    const b = Number(frac[2]);
    return b === 0 ? NaN : a / b;
  }
  return t === '' ? NaN : Number(t);
}

const splitList = (s: string) => s.split(/[\s,;]+/).filter((x) => x !== '');

/** Reads the form; a sentence saying what is wrong when it is not valid. */
export function metadataFromForm(f: MetadataForm, categories: readonly Category[] = []): ModelMetadata | string {
  const name = f.name.trim();
  if (!name) return 'The model needs a name.';
  if (name.length > 200) return 'The name is at most 200 characters.';
  const hash = fullHash(f.labels_hash);
  if (!/^sha256:[0-9a-f]{64}$/.test(hash)) return 'labels_hash is the categories_hash (sha256: and 64 hex digits) of the export the model was trained on.';
  const size = (s: string, what: string): number | string => {
    const n = Number(s.trim());
    return Number.isInteger(n) && n >= 1 && n <= 4096 && s.trim() !== '' ? n : `The input ${what} is a whole number of pixels from 1 to 4096.`;
  };
  const width = size(f.width, 'width');
  if (typeof width === 'string') return width;
  const height = size(f.height, 'height');
  if (typeof height === 'string') return height;
  const scale = parseNumber(f.scale);
  if (!Number.isFinite(scale) || scale <= 0) return 'The scale is a number above 0 (1/255 maps pixel values to 0..1).';
  const three = (s: string, what: string, positive: boolean): [number, number, number] | string => {
    const parts = splitList(s).map(parseNumber);
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || (positive && p <= 0))) {
      return `The ${what} is three numbers${positive ? ' above 0' : ''}, one per channel.`;
    }
    return [parts[0], parts[1], parts[2]] as [number, number, number];
  };
  const mean = three(f.mean, 'mean', false);
  if (typeof mean === 'string') return mean;
  const std = three(f.std, 'std', true);
  if (typeof std === 'string') return std;
  const raw = splitList(f.outputs);
  const outputs = raw.map((x) => Number(x));
  const bad = raw.find((_x, i) => !Number.isSafeInteger(outputs[i]) || (outputs[i] ?? 0) < 1);
  if (bad !== undefined) return `“${bad}” is not a category id: the outputs are the category id of each output position.`;
  if (outputs.length < 2 || outputs.length > 1000) return 'A model has 2 to 1000 outputs, one category id each.';
  if (new Set(outputs).size !== outputs.length) return 'Each category id appears once in the outputs.';
  if (categories.length > 0) {
    const known = new Set(categories.map((c) => c.id));
    const unknown = outputs.find((id) => !known.has(id));
    if (unknown !== undefined) return `The outputs name category ${unknown}, which this project does not have.`;
  }
  return {
    name,
    task_type: f.task_type,
    labels_hash: hash,
    input: { width, height, channels: f.channels, layout: f.layout, scale, mean, std },
    outputs,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const listText = (v: unknown) => (Array.isArray(v) ? v.map((x) => String(x)).join(', ') : typeof v === 'string' ? v : '');
const text = (v: unknown, fallback: string) => (typeof v === 'number' || typeof v === 'string' ? String(v) : fallback);

/**
 * A metadata file (as train_example.py writes it) read into the form, so it
 * can be checked and changed before the upload; fields it lacks keep the
 * form's. An empty labels_hash keeps the form's (the project's current one).
 */
export function formFromMetadataText(json: string, base: MetadataForm): MetadataForm | string {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return 'The metadata file is not valid JSON.';
  }
  if (!isRecord(doc)) return 'The metadata file must hold one JSON object (name, task_type, labels_hash, input, outputs).';
  const input = isRecord(doc['input']) ? doc['input'] : {};
  const tt = doc['task_type'];
  const ch = input['channels'];
  const lay = input['layout'];
  const hash = typeof doc['labels_hash'] === 'string' && doc['labels_hash'].trim() !== '' ? doc['labels_hash'] : base.labels_hash;
  return {
    name: typeof doc['name'] === 'string' ? doc['name'] : base.name,
    task_type: typeof tt === 'string' && isModelTaskType(tt) ? tt : base.task_type,
    labels_hash: fullHash(hash),
    width: text(input['width'], base.width),
    height: text(input['height'], base.height),
    channels: ch === 'rgb' || ch === 'bgr' ? ch : base.channels,
    layout: lay === 'nchw' || lay === 'nhwc' ? lay : base.layout,
    scale: text(input['scale'], base.scale),
    mean: listText(input['mean']) || base.mean,
    std: listText(input['std']) || base.std,
    outputs: listText(doc['outputs']) || base.outputs,
  };
}

/** The line under the register button when the server refuses a model. */
export function registerErrorMessage(code: string, message: string): string {
  const hint: Record<string, string> = {
    invalid_model: 'Choose the .onnx file the training script wrote.',
    model_input_mismatch: 'Check the input width, height and layout against the model.',
    model_output_mismatch: 'The outputs list one category id per score the model gives.',
    file_too_large: 'A model file is at most 256 MiB.',
    inference_unavailable: 'Run scripts/install-deps on the server to install ONNX Runtime.',
  };
  const extra = hint[code];
  const base = message.trim() || 'The model was not registered.';
  return extra ? `${base} ${extra}` : base;
}

export function isRunActive(r: Pick<ModelRun, 'state'>): boolean {
  return r.state === 'queued' || r.state === 'running';
}

/** Whole percent of a run, 0..100. */
export function runPercent(r: Pick<ModelRun, 'state' | 'done' | 'total'>): number {
  if (r.state === 'done') return 100;
  if (!r.total || r.total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((100 * r.done) / r.total)));
}

export const RUN_STATE_LABEL: Record<RunState, string> = {
  queued: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The polling delay while some run is queued or running, or null to stop. */
export function runPollDelay(runs: readonly Pick<ModelRun, 'state'>[], attempt: number): number | null {
  if (!runs.some(isRunActive)) return null;
  return Math.min(2000, 300 + attempt * 150);
}

/** Adds or replaces a run in a list kept newest first. */
export function upsertRun(list: readonly ModelRun[], run: ModelRun): ModelRun[] {
  return [run, ...list.filter((r) => r.id !== run.id)].sort((a, b) => b.id - a.id);
}

export const STRATEGY_LABEL: Record<SamplingStrategy, string> = {
  entropy: 'Entropy: most uncertain first',
  margin: 'Margin: smallest gap between the two best scores first',
  disagreement: 'Disagreement between two or more models',
  coverage: 'Coverage: spread across videos and time',
};

/** How many models a strategy takes. */
export function strategyModels(s: SamplingStrategy): { min: number; max: number } {
  if (s === 'coverage') return { min: 0, max: 0 };
  if (s === 'disagreement') return { min: 2, max: 8 };
  return { min: 1, max: 1 };
}

/** Whether a sampling run may start with these models; else the sentence that says why not. */
export function samplingProblem(s: SamplingStrategy, modelIds: readonly number[]): string | null {
  const { min, max } = strategyModels(s);
  if (modelIds.length < min) return min === 2 ? 'Disagreement compares two or more models: pick at least two.' : 'Pick the model whose scores rank the images.';
  if (modelIds.length > max) return max === 0 ? 'Coverage uses no model.' : max === 1 ? 'This strategy uses one model.' : `At most ${max} models.`;
  return null;
}

/** "12 / 40 · 2 failed" for a run. */
export function runSummary(r: Pick<ModelRun, 'done' | 'total' | 'failed'>): string {
  const base = `${r.done.toLocaleString('en-US')} / ${r.total.toLocaleString('en-US')}`;
  return r.failed ? `${base} · ${r.failed.toLocaleString('en-US')} failed` : base;
}
