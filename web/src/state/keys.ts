// Keyboard commands as data: each command has an id, a label and its keys,
// so that the key handler and the on-screen help come from one list.
// DOM-free (takes anything shaped like a KeyboardEvent).

export interface KeyLike {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

export interface KeyCommand<Id extends string = string> {
  id: Id;
  label: string;
  /** Combos as produced by keyCombo(), e.g. "Alt+ArrowUp", "F2". */
  keys: readonly string[];
}

/** "Ctrl+Alt+Shift+Meta+Key" with only the modifiers held, in that order. */
export function keyCombo(e: KeyLike): string {
  const parts: string[] = [];
  if (e.ctrlKey) parts.push('Ctrl');
  if (e.altKey) parts.push('Alt');
  // Shift+a is just "A", but Ctrl+Shift+Z is not Ctrl+Z.
  if (e.shiftKey && (e.key.length > 1 || e.ctrlKey || e.metaKey)) parts.push('Shift');
  if (e.metaKey) parts.push('Meta');
  parts.push(e.key.length === 1 ? e.key.toUpperCase() : e.key);
  return parts.join('+');
}

export function findCommand<C extends KeyCommand>(commands: readonly C[], e: KeyLike): C | undefined {
  const combo = keyCombo(e);
  return commands.find((c) => c.keys.includes(combo));
}

const KEY_LABELS: Record<string, string> = {
  ArrowUp: '↑',
  ArrowDown: '↓',
  ArrowLeft: '←',
  ArrowRight: '→',
  Delete: 'Del',
  Escape: 'Esc',
};

/** Short text for a combo, as printed on a key cap: "Alt+ArrowUp" -> ["Alt", "↑"]. */
export function keyCaps(combo: string): string[] {
  // "+" separates keys, and is itself a key when it comes last ("+", "Ctrl++").
  return (combo.match(/[^+]+|\+$/g) ?? []).map((k) => KEY_LABELS[k] ?? k);
}

/** The keys of the category table rows. */
export type CategoryRowCommandId = 'moveUp' | 'moveDown' | 'focusPrev' | 'focusNext' | 'rename' | 'delete';

export const CATEGORY_ROW_COMMANDS: readonly KeyCommand<CategoryRowCommandId>[] = [
  { id: 'moveUp', label: 'Move up', keys: ['Alt+ArrowUp'] },
  { id: 'moveDown', label: 'Move down', keys: ['Alt+ArrowDown'] },
  { id: 'focusPrev', label: 'Previous row', keys: ['ArrowUp'] },
  { id: 'focusNext', label: 'Next row', keys: ['ArrowDown'] },
  { id: 'rename', label: 'Rename', keys: ['Enter', 'F2'] },
  { id: 'delete', label: 'Delete', keys: ['Delete'] },
];
