// Assets: types, the list endpoint, byte URLs, and the upload call.
import { request, sendForm } from './client';
import { ApiError, parseApiError, retryableStatus } from './errors';

const V1 = '/api/v1';

export type AnnotationStatus = 'unlabeled' | 'labeled' | 'skipped' | 'needs_review' | 'approved';
/** The list filters of the asset API: every status, or each alone. */
export type AssetFilter = 'all' | AnnotationStatus;
export const ASSET_FILTERS: readonly AssetFilter[] = ['all', 'unlabeled', 'labeled', 'skipped', 'needs_review', 'approved'];

/** One box of a detection payload: bbox [x, y, w, h] in pixels of the displayed (EXIF-oriented) image. */
export interface BoxObject {
  id: string;
  category_id: number;
  bbox: [number, number, number, number];
}

/**
 * One object of a segmentation payload: rings [x1, y1, x2, y2, ...] in pixels
 * of the displayed image, each closed implicitly; a ring inside another ring
 * of the same object is a hole, other rings are further parts.
 */
export interface PolygonObject {
  id: string;
  category_id: number;
  polygons: number[][];
}

/** The typed content of an annotation (contract/schema/annotation_payload.schema.json). */
export type AnnotationPayload =
  | { type: 'classification'; category_ids: number[] }
  | { type: 'boxes'; objects: BoxObject[] }
  | { type: 'polygons'; objects: PolygonObject[] };

export interface Annotation {
  asset_id: number;
  status: AnnotationStatus;
  category_ids: number[];
  /** The typed content; null without content (unlabeled, skipped). */
  payload?: AnnotationPayload | null;
  revision: number;
  labeled_by: string | null;
  updated_at: string;
  /** The note of the latest change (a flag to needs_review); given by the annotation endpoints. */
  note?: string;
  /** The import that wrote this revision; given by the annotation endpoints. */
  import_id?: number;
}

export type AssetSource =
  | { type: 'image' }
  | { type: 'video_frame'; video_id: number; video_file_name: string; frame_index: number; timestamp_ms: number };

export interface Asset {
  id: number;
  project_id: number;
  file_name: string;
  width: number;
  height: number;
  mime_type: string;
  checksum_sha256: string;
  byte_size: number;
  source: AssetSource;
  created_at: string;
  uploaded_by: string | null;
  thumbnail_ready: boolean;
  annotation: Annotation;
  duplicate?: boolean;
  /** "damaged": the image does not decode and is never exported. */
  decode_state?: 'pending' | 'ok' | 'damaged';
  damage_reason?: string | null;
  /** In asset lists: the asset holds a pending suggestion of a model (absent from older servers). */
  suggested?: boolean;
}

/** The orders of the asset list: by id, upload time or file name; "-" reverses. */
export type AssetSort = 'id' | '-id' | 'uploaded' | '-uploaded' | 'name' | '-name';
export const ASSET_SORTS: readonly AssetSort[] = ['id', '-id', 'uploaded', '-uploaded', 'name', '-name'];

export type AssetCounts = Record<AssetFilter, number>;

export interface AssetPage {
  assets: Asset[];
  next_cursor: string | null;
  counts: AssetCounts;
}

export interface AssetQuery {
  status?: AssetFilter;
  categoryId?: number | null;
  videoId?: number | null;
  /** Only assets with a pending suggestion (suggested, not yet reviewed). */
  suggested?: boolean;
  /** sampling: only the assets the latest sampling run ranked, most useful first. */
  order?: 'id' | 'sampling';
  sort?: AssetSort;
  /** Text in the file name. */
  q?: string;
  cursor?: string | null;
  limit?: number;
}

/** Which images a leased batch takes, besides their status. */
export interface LeaseQuery {
  suggested?: boolean;
  order?: 'id' | 'sampling';
}

/**
 * How the labeling queue picks its images: all of the filter by id; only
 * those with a suggestion not reviewed yet; or those the latest sampling run
 * ranked, most useful first.
 */
export type QueueMode = 'order' | 'suggested' | 'sampling';
export const QUEUE_MODES: readonly QueueMode[] = ['order', 'suggested', 'sampling'];

/** The list and lease parameters of a queue mode. */
export function queueQuery(mode: QueueMode): LeaseQuery {
  if (mode === 'suggested') return { suggested: true };
  if (mode === 'sampling') return { order: 'sampling' };
  return {};
}

export interface UploadFileError {
  file_name: string | null;
  code: string;
  message: string;
}

export interface UploadResponse {
  assets: Asset[];
  errors: UploadFileError[];
}

export const assets = {
  list: (projectId: number, q: AssetQuery = {}, signal?: AbortSignal) =>
    request<AssetPage>('GET', `${V1}/projects/${projectId}/assets`, {
      query: {
        status: q.status && q.status !== 'all' ? q.status : undefined,
        category_id: q.categoryId ?? undefined,
        video_id: q.videoId ?? undefined,
        suggested: q.suggested ? 'true' : undefined,
        order: q.order && q.order !== 'id' ? q.order : undefined,
        sort: q.sort && q.sort !== 'id' ? q.sort : undefined,
        q: q.q ? q.q : undefined,
        cursor: q.cursor ?? undefined,
        limit: q.limit ?? 200,
      },
      signal,
    }),
  get: (id: number) => request<Asset>('GET', `${V1}/assets/${id}`),
  /** Soft delete: the asset leaves lists and new exports, keeping its files and labels. */
  remove: (id: number) => request<undefined>('DELETE', `${V1}/assets/${id}`),
  restore: (id: number) => request<Asset>('POST', `${V1}/assets/${id}/restore`),
  /** Leases the next images of a filter to the signed-in user: other labelers' batches skip them. */
  lease: (projectId: number, status: Exclude<AssetFilter, 'all'>, limit: number, q: LeaseQuery = {}) =>
    request<{ assets: Asset[]; leased_until: string }>('POST', `${V1}/projects/${projectId}/queue/next`, {
      body: {
        status,
        limit,
        ...(q.suggested ? { suggested: true } : {}),
        ...(q.order && q.order !== 'id' ? { order: q.order } : {}),
      },
    }),
  /** Ends the signed-in user's leases in the project. */
  releaseLeases: (projectId: number) =>
    request<undefined>('POST', `${V1}/projects/${projectId}/queue/release`, { body: {} }),
};

export const thumbnailUrl = (id: number) => `${V1}/assets/${id}/thumbnail`;
export const fileUrl = (id: number) => `${V1}/assets/${id}/file`;

/** What one file's upload came to. */
export type UploadOutcome =
  | { ok: true; asset: Asset; duplicate: boolean }
  | { ok: false; code: string; message: string; retryable: boolean };

/** Per-file refusals that are about the transfer, not the file's content. */
const RETRYABLE_FILE_CODES = new Set(['incomplete_upload', 'upload_failed']);

/** The outcome of a finished upload request of one file. */
export function outcomeOf(status: number, text: string): UploadOutcome {
  let body: Partial<UploadResponse> | null = null;
  try {
    body = text ? (JSON.parse(text) as Partial<UploadResponse>) : null;
  } catch {
    body = null;
  }
  const asset = body?.assets?.[0];
  if (status >= 200 && status < 300 && asset) return { ok: true, asset, duplicate: asset.duplicate === true };
  const fileErr = body?.errors?.[0];
  if (fileErr) {
    return { ok: false, code: fileErr.code, message: fileErr.message, retryable: RETRYABLE_FILE_CODES.has(fileErr.code) };
  }
  const err: ApiError = parseApiError(status, text);
  return { ok: false, code: err.code, message: err.message, retryable: retryableStatus(status) };
}

/** Uploads one file; onProgress gets the bytes sent so far. */
export async function uploadFile(
  projectId: number,
  file: File,
  onProgress: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<UploadOutcome> {
  const form = new FormData();
  form.append('file', file, file.name);
  const answer = await sendForm(`${V1}/projects/${projectId}/assets`, form, onProgress, signal);
  return answer.failure ? { ok: false, ...answer.failure, retryable: true } : outcomeOf(answer.status, answer.text);
}
