// Export page logic without the DOM: selections, labels, hashes, polling.
import { ApiError, errorMessage } from '../api/errors';
import { STATUS_NAME } from '../lib/status';
import type { AnnotationStatus, ExportSplit, ExportVersion, SelectionCounts } from '../api/exports';

export const STATUS_LABELS: Record<AnnotationStatus, string> = STATUS_NAME;

/** The default selection of a new export (CONTRACT: approved only). */
export const DEFAULT_SELECTION: readonly AnnotationStatus[] = ['approved'];

/** Adds or removes a status, keeping the canonical order of `order`. */
export function toggleStatus(
  selected: readonly AnnotationStatus[],
  status: AnnotationStatus,
  on: boolean,
  order: readonly AnnotationStatus[],
): AnnotationStatus[] {
  const set = new Set(selected);
  if (on) set.add(status);
  else set.delete(status);
  return order.filter((s) => set.has(s));
}

/** "sha256:abcdef…" → "abcdef012345" (12 hex digits), "" for null. */
export function shortHash(hash: string | null | undefined, digits = 12): string {
  if (!hash) return '';
  const hex = hash.startsWith('sha256:') ? hash.slice(7) : hash;
  return hex.slice(0, digits);
}

/** Whole percent for a progress bar, 0..100. */
export function progressPercent(ex: Pick<ExportVersion, 'state' | 'progress'>): number {
  if (ex.state === 'ready') return 100;
  const { done, total } = ex.progress;
  if (!total || total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

export function isActive(ex: Pick<ExportVersion, 'state'>): boolean {
  return ex.state === 'queued' || ex.state === 'building';
}

/** The polling delay while some version is building, or null to stop. */
export function pollDelay(list: readonly Pick<ExportVersion, 'state'>[], attempt: number): number | null {
  if (!list.some(isActive)) return null;
  return Math.min(2000, 300 + attempt * 150);
}

export function identicalNote(ex: Pick<ExportVersion, 'identical_to_version' | 'shares_files_with_version'>): string {
  // A version that reuses an identical one's files (hardlinks, the same zip
  // bytes) cost no space beyond its manifest.
  if (ex.shares_files_with_version) return `identical to version ${ex.shares_files_with_version} (no extra space)`;
  return ex.identical_to_version ? `identical to version ${ex.identical_to_version}` : '';
}

/** The line under the create button when the server refuses a new version. */
export function createErrorMessage(err: unknown): string {
  const text = errorMessage(err);
  if (err instanceof ApiError && (err.code === 'export_quota_exceeded' || err.code === 'project_quota_exceeded')) {
    return `${text} An administrator can raise the limit.`;
  }
  return text;
}

/** What the create button will do, for the summary line beside it. */
export function selectionSummary(counts: SelectionCounts | null): string {
  if (!counts) return '';
  const n = counts.images;
  const parts = [`${n.toLocaleString('en-US')} image${n === 1 ? '' : 's'}`];
  const ex = counts.excluded.deleted_category;
  if (ex) parts.push(`${ex.toLocaleString('en-US')} left out (deleted category)`);
  const damaged = counts.excluded.damaged ?? 0;
  if (damaged) parts.push(`${damaged.toLocaleString('en-US')} left out (damaged image${damaged === 1 ? '' : 's'})`);
  if (counts.without_category) parts.push(`${counts.without_category.toLocaleString('en-US')} without a label`);
  // Nothing to export: say what would change that, rather than a bare 0.
  if (n === 0 && !ex && !damaged) return '0 images: nothing has these statuses yet. Approve labels on the Review tab, or include more statuses.';
  return parts.join(' · ');
}

/** Merges a refreshed version into the list (newest version first). */
export function upsertVersion(list: readonly ExportVersion[], ex: ExportVersion): ExportVersion[] {
  const rest = list.filter((x) => x.id !== ex.id);
  return [...rest, ex].sort((a, b) => b.version - a.version);
}

/** The split form: whole percents and a seed, as typed. */
export interface SplitForm {
  seed: string;
  train: string;
  val: string;
  test: string;
}

export const DEFAULT_SPLIT_FORM: SplitForm = { seed: 'split-1', train: '80', val: '10', test: '10' };

/** The split a form asks for, or a sentence saying what is wrong with it
 * (the server checks again and has the last word). */
export function splitFromForm(f: SplitForm): ExportSplit | string {
  const seed = f.seed.trim();
  if (!seed) return 'The split needs a seed.';
  const parts = [f.train, f.val, f.test].map((t) => Number(t.trim()));
  if (parts.some((p, i) => [f.train, f.val, f.test][i].trim() === '' || !Number.isFinite(p) || p < 0 || p > 100)) {
    return 'Each part is a percentage from 0 to 100.';
  }
  if (Math.abs(parts[0] + parts[1] + parts[2] - 100) > 1e-7) return 'The parts must add up to 100%.';
  if (parts[0] <= 0) return 'The train part must be more than 0%.';
  return { seed, train: parts[0] / 100, val: parts[1] / 100, test: parts[2] / 100 };
}

const pct = (f: number) => `${Math.round(f * 1000) / 10}%`;

/** "train 80% · val 10% · test 10% (seed split-1)", "" without a split. */
export function splitSummary(split: ExportSplit | undefined): string {
  if (!split) return '';
  return `train ${pct(split.train)} · val ${pct(split.val)} · test ${pct(split.test)} (seed ${split.seed})`;
}
