// The labeling screen's commands as data: one list drives the keyboard,
// the buttons and the help overlay. DOM-free.
import type { Category } from '../api/types';
import type { KeyCommand } from './keys';

export type LabelCommandId = `assign:${number}` | 'prev' | 'next' | 'skip' | 'help' | 'close';

export interface LabelCommand extends KeyCommand<LabelCommandId> {
  /** For assign commands: the category and its 1-based hotkey position. */
  categoryId?: number;
  position?: number;
}

/** Active categories in display order: the ones keys 1..9 assign. */
export function assignable(categories: readonly Category[]): Category[] {
  return categories
    .filter((c) => c.state === 'active')
    .slice()
    .sort((a, b) => a.display_order - b.display_order || a.id - b.id);
}

export function labelCommands(categories: readonly Category[]): LabelCommand[] {
  const assign = assignable(categories)
    .slice(0, 9)
    .map(
      (c, i): LabelCommand => ({
        id: `assign:${c.id}`,
        label: c.name,
        keys: [String(i + 1)],
        categoryId: c.id,
        position: i + 1,
      }),
    );
  return [
    ...assign,
    { id: 'prev', label: 'Previous asset', keys: ['ArrowLeft'] },
    { id: 'next', label: 'Next asset', keys: ['ArrowRight'] },
    { id: 'skip', label: 'Skip (and move on)', keys: ['S'] },
    { id: 'help', label: 'Show or hide this help', keys: ['?'] },
    { id: 'close', label: 'Close help', keys: ['Escape'] },
  ];
}
