// Typed wrappers for labeling and review: annotations, their history, bulk
// review and project stats. The asset list is assets.list (api/assets).
import type { Annotation, AnnotationPayload, AnnotationStatus } from './assets';
import { request } from './client';

const V1 = '/api/v1';

/** The body of PUT /assets/{id}/annotation. */
export type AnnotationChange =
  | { category_ids: number[]; revision?: number }
  | { payload: AnnotationPayload; revision?: number }
  | { status: AnnotationStatus; revision?: number; /** needs_review only: why (at most 500 characters) */ note?: string };

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
  /** The note sent with a change to needs_review; absent without one. */
  note?: string;
}

export const labeling = {
  get: (assetId: number) => request<Annotation>('GET', `${V1}/assets/${assetId}/annotation`),
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
