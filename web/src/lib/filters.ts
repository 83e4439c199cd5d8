// What the screens call the asset list filters. DOM-free.
import type { AssetFilter } from '../api/assets';

export const FILTER_LABEL: Record<AssetFilter, string> = {
  all: 'All',
  unlabeled: 'Unlabeled',
  in_review: 'In review',
  done: 'Done',
  skipped: 'Skipped',
};
