// Exports (dataset versions): types and typed calls.
import type { AnnotationStatus } from './assets';
import { request } from './client';

const V1 = '/api/v1';

export type { AnnotationStatus };
/** The statuses an export can select, in the order offered. */
export const EXPORT_STATUSES: readonly AnnotationStatus[] = ['approved', 'needs_review', 'labeled', 'skipped', 'unlabeled'];

export type ExportState = 'queued' | 'building' | 'ready' | 'failed';

export interface SelectionCounts {
  images: number;
  /** damaged: images that do not decode (absent from older servers). */
  excluded: { deleted_category: number; damaged?: number };
  /** Counted in images; decoded (and left out if damaged) when the export is created. */
  not_decoded_yet?: number;
  without_category: number;
  by_status: Record<AnnotationStatus, number>;
}

export interface ExportPreview {
  selection: { statuses: AnnotationStatus[] };
  counts: SelectionCounts;
}

export interface ManifestCategory {
  id: number;
  name: string;
  class_index: number;
}

export interface ExportCounts {
  images: number;
  annotations?: number;
  per_category?: Record<string, number>;
  /** With a split, once ready: images per part. */
  per_split?: { train: number; val: number; test: number };
  excluded: { deleted_category: number };
}

/** A train/val/test split: each image's part comes from SHA-256(seed || its checksum). */
export interface ExportSplit {
  seed: string;
  train: number;
  val: number;
  test: number;
}

/** Where the images go: images/ (COCO-style, the default) or <part>/<class folder>/ (ImageFolder). */
export type ExportLayout = 'coco' | 'imagefolder';

export interface ExportVersion {
  id: number;
  project_id: number;
  version: number;
  state: ExportState;
  selection: { statuses: AnnotationStatus[]; split?: ExportSplit; layout?: ExportLayout };
  progress: { done: number; total: number; fraction: number };
  counts: ExportCounts;
  hash: string | null;
  categories_hash: string | null;
  identical_to_version: number | null;
  /** The identical earlier version whose files this one reuses (it took no extra space). */
  shares_files_with_version: number | null;
  zip_bytes: number | null;
  download_url: string | null;
  error: string | null;
  created_by: string;
  created_at: string;
  finished_at: string | null;
  manifest?: { categories: ManifestCategory[] } & Record<string, unknown>;
}

export const exportsApi = {
  preview: (projectId: number, statuses: readonly AnnotationStatus[], signal?: AbortSignal) =>
    request<ExportPreview>('GET', `${V1}/projects/${projectId}/exports/preview`, {
      query: { statuses: statuses.join(',') },
      signal,
    }),
  create: (projectId: number, statuses: readonly AnnotationStatus[], split?: ExportSplit | null, layout: ExportLayout = 'coco') =>
    request<ExportVersion>('POST', `${V1}/projects/${projectId}/exports`, {
      body: { statuses, ...(split ? { split } : {}), ...(layout !== 'coco' ? { layout } : {}) },
    }),
  list: (projectId: number, limit = 100) =>
    request<{ exports: ExportVersion[]; next_cursor: string | null }>('GET', `${V1}/projects/${projectId}/exports`, {
      query: { limit },
    }),
  get: (id: number) => request<ExportVersion>('GET', `${V1}/exports/${id}`),
  /** Removes a finished version's files; its row and hash stay. */
  remove: (id: number) => request<undefined>('DELETE', `${V1}/exports/${id}`),
};
