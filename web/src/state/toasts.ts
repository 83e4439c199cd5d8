// Short-lived notifications shown at the bottom of the screen.
import { signal } from '@preact/signals';

export type ToastKind = 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

export const toasts = signal<Toast[]>([]);
let nextId = 1;

export function dismissToast(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}

/** Shows a toast; the id lets the caller take it away early (when what it announced is over). */
export function showToast(text: string, kind: ToastKind = 'info', ms = kind === 'error' ? 8000 : 3000): number {
  const id = nextId++;
  toasts.value = [...toasts.value.slice(-4), { id, kind, text }];
  setTimeout(() => dismissToast(id), ms);
  return id;
}

export const showError = (text: string) => showToast(text, 'error');
