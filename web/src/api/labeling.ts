// Typed wrappers for labeling and review: the asset queue, annotations,
// bulk review and project stats.
import { ASSET_FILTERS, fileUrl, thumbnailUrl } from './assets';
import type { AnnotationStatus, AssetAnnotation, AssetCounts, AssetFilter, AssetSource } from './assets';
import { request } from './client';

const V1 = '/api/v1';

export type { AnnotationStatus };
export const ANNOTATION_STATUSES: readonly AnnotationStatus[] = [
  'unlabeled',
  'labeled',
  'skipped',
  'needs_review',
  'approved',
];

/** The list filters of the asset API. */
export type QueueFilter = AssetFilter;
export const QUEUE_FILTERS: readonly QueueFilter[] = ASSET_FILTERS;

export type Annotation = AssetAnnotation;

export interface Asset {
  id: number;
  project_id: number;
  file_name: string;
  width: number;
  height: number;
  mime_type: string;
  byte_size: number;
  checksum_sha256: string;
  thumbnail_ready?: boolean;
  /** "damaged": the image does not decode and is never exported. */
  decode_state?: 'pending' | 'ok' | 'damaged';
  damage_reason?: string | null;
  source?: AssetSource;
  annotation: Annotation;
}

export type QueueCounts = AssetCounts;

export interface AssetPage {
  assets: Asset[];
  next_cursor: string | null;
  counts: QueueCounts;
}

/** The body of PUT /assets/{id}/annotation. */
export type AnnotationChange =
  | { category_ids: number[]; revision?: number }
  | { status: AnnotationStatus; revision?: number };

export interface CategoryCount {
  category_id: number;
  state: 'active' | 'disabled' | 'deleted';
  count: number;
  by_status: Record<'labeled' | 'needs_review' | 'approved', number>;
}

/** An image that does not decode, with the decoder's reason. */
export interface DamagedAsset {
  asset_id: number;
  file_name: string;
  reason: string;
}

export interface Stats {
  project_id: number;
  counts: Record<AnnotationStatus | 'total', number>;
  per_category: CategoryCount[];
  issues: {
    missing_labels: number;
    skipped: number;
    deleted_category: number;
    /** Images that do not decode: never exported (absent from older servers). */
    damaged?: number;
    damaged_assets?: DamagedAsset[];
  };
}

export type BulkAction = 'approve' | 'needs_review';

export interface BulkResult {
  action: BulkAction;
  matched: number;
  succeeded: number;
  failed: number;
  results: (
    | { asset_id: number; ok: true; status: AnnotationStatus; revision: number; changed: boolean }
    | { asset_id: number; ok: false; error: { code: string; message: string } }
  )[];
}

export interface HistoryEntry {
  id: number;
  revision: number;
  by: string | null;
  at: string;
  from: { status: AnnotationStatus; category_ids: number[] };
  to: { status: AnnotationStatus; category_ids: number[] };
  via: 'single' | 'bulk';
}

export const assetFileUrl = fileUrl;
export const assetThumbUrl = thumbnailUrl;

export const labeling = {
  assets: (
    projectId: number,
    q: { status?: QueueFilter; category_id?: number | null; cursor?: string | null; limit?: number },
  ) =>
    request<AssetPage>('GET', `${V1}/projects/${projectId}/assets`, {
      query: { status: q.status ?? 'all', category_id: q.category_id, cursor: q.cursor, limit: q.limit ?? 500 },
    }),
  setAnnotation: (assetId: number, change: AnnotationChange) =>
    request<Annotation>('PUT', `${V1}/assets/${assetId}/annotation`, { body: change }),
  history: (assetId: number) =>
    request<{ asset_id: number; history: HistoryEntry[] }>('GET', `${V1}/assets/${assetId}/annotation/history`).then(
      (r) => r.history,
    ),
  bulk: (
    projectId: number,
    action: BulkAction,
    target: { asset_ids: number[] } | { filter: { status?: string; category_id?: number } },
  ) => request<BulkResult>('POST', `${V1}/projects/${projectId}/annotations/bulk`, { body: { action, ...target } }),
  stats: (projectId: number) => request<Stats>('GET', `${V1}/projects/${projectId}/stats`),
};

/** The queue filter a status belongs to (as the server keeps it). */
export function queueOf(s: AnnotationStatus): Exclude<QueueFilter, 'all'> {
  if (s === 'labeled' || s === 'needs_review') return 'in_review';
  if (s === 'approved') return 'done';
  return s;
}
