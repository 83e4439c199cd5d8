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

export function showToast(text: string, kind: ToastKind = 'info', ms = kind === 'error' ? 8000 : 3000): void {
  const id = nextId++;
  toasts.value = [...toasts.value.slice(-4), { id, kind, text }];
  setTimeout(() => dismissToast(id), ms);
}

export const showError = (text: string) => showToast(text, 'error');
