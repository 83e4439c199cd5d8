// The labeling screen's commands as data: each carries its keys and its
// handler, so that one list drives the keyboard, the buttons and the help
// overlay. DOM-free.
import type { Category } from '../api/types';
import type { KeyCommand } from './keys';
import type { TaskCommandId } from './taskActions';

export type LabelCommandId =
  | `assign:${number}`
  | 'prev'
  | 'next'
  | 'skip'
  | 'flag'
  | 'accept'
  | 'undo'
  | 'redo'
  | 'focus'
  | 'zoomIn'
  | 'zoomOut'
  | 'zoomFit'
  | 'help'
  | 'close'
  | TaskCommandId;

export interface LabelCommand extends KeyCommand<LabelCommandId> {
  run: () => void;
  /** For assign commands: the category, and its 1-based hotkey position (none past 9). */
  categoryId?: number;
  position?: number;
  /** Also works while the help is shown. */
  inHelp?: boolean;
}

/** What the commands do. */
export interface LabelHandlers {
  assign: (categoryId: number) => void;
  prev: () => void;
  next: () => void;
  skip: () => void;
  /** Marks the image needs_review (unsure). */
  flag: () => void;
  /** Accepts the model's suggestion for the image (absent: the project gives no suggestions). */
  accept?: () => void;
  undo: () => void;
  redo: () => void;
  /** Focus mode: hides the header and the tabs. */
  toggleFocus: () => void;
  zoom: (factor: number | 'fit') => void;
  toggleHelp: () => void;
  closeHelp: () => void;
}

/** How much one zoom key press zooms. */
export const ZOOM_STEP = 1.25;

/** Active categories in display order: the ones keys 1..9 assign. */
export function assignable(categories: readonly Category[]): Category[] {
  return categories
    .filter((c) => c.state === 'active')
    .slice()
    .sort((a, b) => a.display_order - b.display_order || a.id - b.id);
}

/** Every command of the labeling screen: one per active category (keys 1..9 for the first nine), then the rest. */
export function labelCommands(categories: readonly Category[], h: LabelHandlers): LabelCommand[] {
  const assign = assignable(categories).map(
    (c, i): LabelCommand => ({
      id: `assign:${c.id}`,
      label: c.name,
      keys: i < 9 ? [String(i + 1)] : [],
      run: () => h.assign(c.id),
      categoryId: c.id,
      position: i < 9 ? i + 1 : undefined,
    }),
  );
  return [
    ...assign,
    { id: 'prev', label: 'Previous asset', keys: ['ArrowLeft'], run: h.prev },
    { id: 'next', label: 'Next asset', keys: ['ArrowRight'], run: h.next },
    { id: 'skip', label: 'Skip (and move on)', keys: ['S'], run: h.skip },
    { id: 'flag', label: 'Flag as needs review, with an optional note (and move on)', keys: ['F'], run: h.flag },
    ...(h.accept ? [{ id: 'accept' as const, label: 'Accept the model’s suggestion (and move on)', keys: ['A'], run: h.accept }] : []),
    { id: 'undo', label: 'Undo the last label change', keys: ['Ctrl+Z', 'Meta+Z'], run: h.undo },
    { id: 'redo', label: 'Redo', keys: ['Ctrl+Shift+Z', 'Meta+Shift+Z', 'Ctrl+Y'], run: h.redo },
    { id: 'focus', label: 'Focus mode (hide header and tabs)', keys: ['Z'], run: h.toggleFocus },
    { id: 'zoomIn', label: 'Zoom in', keys: ['+', '='], run: () => h.zoom(ZOOM_STEP) },
    { id: 'zoomOut', label: 'Zoom out', keys: ['-'], run: () => h.zoom(1 / ZOOM_STEP) },
    { id: 'zoomFit', label: 'Fit the image', keys: ['0'], run: () => h.zoom('fit') },
    { id: 'help', label: 'Show or hide this help', keys: ['?'], run: h.toggleHelp, inHelp: true },
    { id: 'close', label: 'Close help', keys: ['Escape'], run: h.closeHelp, inHelp: true },
  ];
}

/** The command with this id (for buttons that show its key). */
export function commandById(commands: readonly LabelCommand[], id: LabelCommandId): LabelCommand | undefined {
  return commands.find((c) => c.id === id);
}
