// Models, suggestions, batch suggestion runs and sampling runs: types and
// typed calls (docs/openapi.yaml, tags models and suggestions).
import type { AssetFilter, BoxObject } from './assets';
import { request, sendForm } from './client';
import { parseApiError, type ApiError } from './errors';

const V1 = '/api/v1';

export type ModelTaskType = 'classification_single' | 'classification_multi';

/** How an image becomes the model's input tensor: (v * scale - mean) / std per channel. */
export interface ModelInput {
  width: number;
  height: number;
  channels: 'rgb' | 'bgr';
  layout: 'nchw' | 'nhwc';
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
}

/** The `metadata` part of a model registration. */
export interface ModelMetadata {
  name: string;
  task_type: ModelTaskType;
  /** The categories_hash of the export the model was trained on. */
  labels_hash: string;
  input: ModelInput;
  /** The category id of each position of the model's score output. */
  outputs: number[];
}

export interface Model {
  id: number;
  project_id: number;
  name: string;
  task_type: ModelTaskType;
  labels_hash: string;
  /** labels_hash is the project's current categories_hash. */
  labels_hash_ok: boolean;
  /** Why suggestions are refused, or null. */
  warning: string | null;
  input: ModelInput;
  outputs: number[];
  active: boolean;
  byte_size: number;
  checksum_sha256: string;
  created_by: string | null;
  created_at: string;
}

export interface ModelList {
  models: Model[];
  /** The project's current categories_hash (the export manifest's definition). */
  categories_hash: string;
  /** False when this server has no ONNX Runtime: registering and suggesting answer 503. */
  inference_available: boolean;
}

export interface CategoryScore {
  category_id: number;
  score: number;
}

/** The annotation payload a suggestion proposes, plus every category's score (best first). */
export type SuggestionPayload =
  | { type: 'classification'; category_ids: number[]; scores: CategoryScore[] }
  | { type: 'boxes'; objects: (BoxObject & { score?: number })[]; scores?: CategoryScore[] };

export type SuggestionStatus = 'pending' | 'accepted' | 'rejected' | 'superseded';

export interface Suggestion {
  suggestion_id: number;
  asset_id: number;
  project_id: number;
  model_id: number;
  payload: SuggestionPayload;
  /** The best category's score (0 to 1). */
  score: number;
  status: SuggestionStatus;
  created_at: string;
  /** The label the labeler gave, once reviewed. */
  chosen_category_ids: number[] | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

export interface SuggestionOutcomes {
  pending?: number;
  accepted?: number;
  rejected?: number;
  /** Accepted, but the annotation no longer names the suggested category. */
  overridden?: number;
  superseded?: number;
}

export interface SuggestionStats {
  project_id?: number;
  models?: {
    model_id?: number;
    name?: string;
    counts?: SuggestionOutcomes;
    /** By the suggested category. */
    per_category?: { category_id?: number; counts?: SuggestionOutcomes }[];
  }[];
}

export type RunKind = 'batch' | 'sampling';
export type RunState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type SamplingStrategy = 'entropy' | 'margin' | 'disagreement' | 'coverage';

/** What a batch run selects. */
export interface BatchCriteria {
  status?: AssetFilter;
  video_id?: number;
  category_id?: number;
  limit?: number;
}

export interface ModelRun {
  id: number;
  project_id: number;
  kind: RunKind;
  strategy?: SamplingStrategy | null;
  criteria?: BatchCriteria;
  model_ids: number[];
  state: RunState;
  /** Assets handled so far. */
  done: number;
  total: number;
  /** Assets the model could not be run on. */
  failed: number;
  error: string | null;
  job_id?: number | null;
  ranks?: { rank?: number; asset_id?: number; score?: number }[];
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
}

export const modelsApi = {
  list: (projectId: number) => request<ModelList>('GET', `${V1}/projects/${projectId}/models`),
  get: (projectId: number, id: number) => request<Model>('GET', `${V1}/projects/${projectId}/models/${id}`),
  /** Makes the model the project's active one (or leaves the project without one). */
  setActive: (projectId: number, id: number, active: boolean) =>
    request<Model>('PATCH', `${V1}/projects/${projectId}/models/${id}`, { body: { active } }),
  /** The model's suggestion for an asset (computed now if it has none); null without an active model. */
  suggestion: (assetId: number, model: 'active' | number = 'active', signal?: AbortSignal) =>
    request<{ suggestion: Suggestion | null }>('GET', `${V1}/assets/${assetId}/suggestions`, {
      query: { model },
      signal,
    }).then((r) => r.suggestion),
  /** Records the label the labeler gave on a suggested image (the server tells accepted from rejected). */
  review: (assetId: number, suggestionId: number, categoryIds: readonly number[]) =>
    request<Suggestion>('POST', `${V1}/assets/${assetId}/suggestions/${suggestionId}/review`, {
      body: { category_ids: categoryIds },
    }),
  stats: (projectId: number) => request<SuggestionStats>('GET', `${V1}/projects/${projectId}/suggestions/stats`),
  batch: (projectId: number, modelId: number, criteria: BatchCriteria) =>
    request<ModelRun>('POST', `${V1}/projects/${projectId}/suggestions/batch`, { body: { model_id: modelId, ...criteria } }),
  sampling: (projectId: number, strategy: SamplingStrategy, modelIds: readonly number[], limit?: number) =>
    request<ModelRun>('POST', `${V1}/projects/${projectId}/sampling`, {
      body: { strategy, ...(modelIds.length ? { model_ids: modelIds } : {}), ...(limit ? { limit } : {}) },
    }),
  runs: (projectId: number) =>
    request<{ runs?: ModelRun[] }>('GET', `${V1}/projects/${projectId}/runs`).then((r) => r.runs ?? []),
  run: (projectId: number, runId: number) => request<ModelRun>('GET', `${V1}/projects/${projectId}/runs/${runId}`),
  cancelRun: (projectId: number, runId: number) =>
    request<ModelRun>('POST', `${V1}/projects/${projectId}/runs/${runId}/cancel`, { body: {} }),
};

/** What a registration came to: the model, or the server's refusal (or why no answer came). */
export type RegisterOutcome = { ok: true; model: Model } | { ok: false; error: ApiError | { code: string; message: string; status?: undefined } };

/** Registers a model: the .onnx file and its metadata (a JSON part); onProgress gets the bytes sent so far. */
export async function registerModel(
  projectId: number,
  file: File,
  metadata: ModelMetadata | string,
  onProgress: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<RegisterOutcome> {
  const form = new FormData();
  // The metadata first: the server can refuse it before storing the file.
  const text = typeof metadata === 'string' ? metadata : JSON.stringify(metadata);
  form.append('metadata', text);
  form.append('file', file, file.name);
  const answer = await sendForm(`${V1}/projects/${projectId}/models`, form, onProgress, signal);
  if (answer.failure) return { ok: false, error: answer.failure };
  if (answer.status === 201 || answer.status === 200) {
    try {
      return { ok: true, model: JSON.parse(answer.text) as Model };
    } catch {
      return { ok: false, error: { code: 'bad_response', message: 'The server sent a response that is not valid JSON.' } };
    }
  }
  return { ok: false, error: parseApiError(answer.status, answer.text) };
}
