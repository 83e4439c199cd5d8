// Imports of existing labels (segmentation): upload a zip, follow the job,
// read its report, undo it.
import { request, sendForm } from './client';
import { parseApiError } from './errors';

const V1 = '/api/v1';

export type ImportState = 'queued' | 'running' | 'done' | 'failed' | 'undone';

/** One refused entry of an import, with its reason. */
export interface ImportReportEntry {
  entry: string;
  code: string;
  message: string;
}

export interface Import {
  id: number;
  project_id: number;
  state: ImportState;
  format: 'coco' | 'class_masks' | 'instance_masks';
  file_name: string;
  tolerance: number;
  progress: { done: number; total: number };
  images: number;
  objects: number;
  refused: number;
  undone: number;
  /** Only when one import is read. */
  report?: ImportReportEntry[];
  error: { code: string; message: string } | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  undone_at: string | null;
}

export const importsApi = {
  get: (id: number, signal?: AbortSignal) => request<Import>('GET', `${V1}/imports/${id}`, { signal }),
  list: (projectId: number, limit = 10) =>
    request<{ imports: Import[]; next_cursor: string | null }>('GET', `${V1}/projects/${projectId}/imports`, {
      query: { limit },
    }).then((r) => r.imports),
  undo: (id: number) => request<Import>('POST', `${V1}/imports/${id}/undo`),
};

export type ImportUploadOutcome = { ok: true; import: Import } | { ok: false; code: string; message: string };

/** Uploads a zip of labels; onProgress gets the bytes sent so far. */
export async function uploadImport(
  projectId: number,
  file: File,
  onProgress: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<ImportUploadOutcome> {
  const form = new FormData();
  form.append('file', file, file.name);
  const answer = await sendForm(`${V1}/projects/${projectId}/imports`, form, onProgress, signal);
  if (answer.failure) return { ok: false, ...answer.failure };
  if (answer.status === 202) {
    try {
      return { ok: true, import: JSON.parse(answer.text) as Import };
    } catch {
      /* fall through */
    }
  }
  const err = parseApiError(answer.status, answer.text);
  return { ok: false, code: err.code, message: err.message };
}

/** The share of an import's job done, 0..1. */
export function importFraction(im: Import): number {
  if (im.state === 'done' || im.state === 'undone' || im.state === 'failed') return 1;
  return im.progress.total > 0 ? Math.min(1, im.progress.done / im.progress.total) : 0;
}

/** One line about an import, for people. */
export function importSummary(im: Import): string {
  switch (im.state) {
    case 'queued':
      return 'Queued';
    case 'running':
      return `Reading · ${im.progress.done} / ${im.progress.total || '…'}`;
    case 'failed':
      return `Failed: ${im.error?.message ?? 'unknown error'} Nothing was imported.`;
    case 'undone':
      return `Undone · ${im.undone} image${im.undone === 1 ? '' : 's'} restored`;
    default:
      return `${im.images} image${im.images === 1 ? '' : 's'} labeled · ${im.objects} object${im.objects === 1 ? '' : 's'}${
        im.refused ? ` · ${im.refused} refused` : ''
      }`;
  }
}
