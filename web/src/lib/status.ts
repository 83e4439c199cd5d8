// The one vocabulary of annotation statuses: the name, the icon and the
// colour of each, used the same on every screen (grid, queue, labels,
// review, counters, exports). DOM-free.
import type { AnnotationStatus, AssetFilter } from '../api/assets';

/** The five statuses in the order every screen lists them. */
export const STATUSES: readonly AnnotationStatus[] = ['unlabeled', 'labeled', 'skipped', 'needs_review', 'approved'];

export const STATUS_NAME: Record<AnnotationStatus, string> = {
  unlabeled: 'Unlabeled',
  labeled: 'Labeled',
  skipped: 'Skipped',
  needs_review: 'Needs review',
  approved: 'Approved',
};

/** A glyph per status, so that no status is told by its colour alone. */
export const STATUS_ICON: Record<AnnotationStatus, string> = {
  unlabeled: '○',
  labeled: '●',
  skipped: '↷',
  needs_review: '⚑',
  approved: '✓',
};

/** The colour of each status (also set as --st by the .st-<status> classes). */
export const STATUS_COLOUR: Record<AnnotationStatus, string> = {
  unlabeled: '#8a919c',
  labeled: '#2f62e0',
  skipped: '#6b7280',
  needs_review: '#c2410c',
  approved: '#1f7a4d',
};

export function isStatus(s: string): s is AnnotationStatus {
  return (STATUSES as readonly string[]).includes(s);
}

/** The list filters of the asset API: All, then each status alone, by its name. */
export const FILTER_LABEL: Record<AssetFilter, string> = { all: 'All', ...STATUS_NAME };

/** The statuses a list filter holds. */
export const FILTER_STATUSES: Record<AssetFilter, readonly AnnotationStatus[]> = {
  all: STATUSES,
  unlabeled: ['unlabeled'],
  labeled: ['labeled'],
  skipped: ['skipped'],
  needs_review: ['needs_review'],
  approved: ['approved'],
};
