// The active model's suggestions on the labeling screen: read per image
// (the server computes one the first time), kept for the session, and the
// labeler's answer reported back. A suggestion never becomes an annotation
// by itself: accepting one writes a normal annotation through the write
// queue, and once the server has acknowledged that write, the label given
// is reported (POST .../suggestions/{id}/review), so the server counts the
// outcome against the annotation it holds. Any other label is reported the
// same way and counts as rejected, with the label chosen.
import { signal } from '@preact/signals';
import type { Asset } from '../api/assets';
import { ApiError, errorMessage, isRetryable } from '../api/errors';
import type { AnnotationChange } from '../api/labeling';
import { modelsApi, type Model, type ModelList, type Suggestion } from '../api/models';
import { labelOfChange, reviewable } from '../lib/suggestions';

export type SuggestionState =
  | { kind: 'loading' }
  | { kind: 'none' }
  | { kind: 'ready'; suggestion: Suggestion }
  | { kind: 'error'; code: string; message: string };

/** Whether the screen offers suggestions, and why not when it does not. */
export type SuggestionsMode =
  | { kind: 'checking' }
  | { kind: 'off' }
  | { kind: 'on'; model: Model }
  | { kind: 'blocked'; model: Model | null; message: string };

/** What the store needs of the server (the real calls by default). */
export interface SuggestionsApi {
  list: (projectId: number) => Promise<ModelList>;
  suggestion: (assetId: number) => Promise<Suggestion | null>;
  review: (assetId: number, suggestionId: number, categoryIds: readonly number[]) => Promise<Suggestion>;
}

const realApi: SuggestionsApi = {
  list: (pid) => modelsApi.list(pid),
  suggestion: (id) => modelsApi.suggestion(id, 'active'),
  review: (id, sid, ids) => modelsApi.review(id, sid, ids),
};

export const UNAVAILABLE_MESSAGE =
  'Suggestions are off: this server cannot run models (ONNX Runtime is not installed; scripts/install-deps installs it).';

/** The sentence shown for a refused suggestion. */
export function suggestionErrorMessage(e: unknown): { code: string; message: string } {
  if (!(e instanceof ApiError)) return { code: 'error', message: errorMessage(e) };
  if (e.code === 'inference_unavailable') return { code: e.code, message: UNAVAILABLE_MESSAGE };
  if (e.code === 'labels_hash_mismatch') {
    return { code: e.code, message: 'The categories changed since the active model was trained: it gives no suggestions until a new one is registered.' };
  }
  if (e.code === 'damaged_image') return { code: e.code, message: 'This image does not decode: no suggestion.' };
  if (e.code === 'inference_failed') return { code: e.code, message: `The model failed on this image. ${errorMessage(e)}` };
  return { code: e.code, message: errorMessage(e) };
}

/** How often, and how long apart, a report that failed on the way is sent again. */
const REPORT_TRIES = 4;
const REPORT_RETRY_MS = 2000;

export function createSuggestions(projectId: number, api: SuggestionsApi = realApi, retryMs = REPORT_RETRY_MS) {
  const mode = signal<SuggestionsMode>({ kind: 'checking' });
  const byAsset = signal<ReadonlyMap<number, SuggestionState>>(new Map());
  /** The label to report per asset, once its annotation write is acknowledged. */
  const toReport = new Map<number, { suggestionId: number; label: number[] }>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let disposed = false;

  const put = (assetId: number, st: SuggestionState) => {
    const m = new Map(byAsset.value);
    m.set(assetId, st);
    byAsset.value = m;
  };

  /** The stored suggestion of an asset, if one was read. */
  function suggestionOf(assetId: number): Suggestion | null {
    const st = byAsset.value.get(assetId);
    return st?.kind === 'ready' ? st.suggestion : null;
  }

  async function report(assetId: number, tries = 1): Promise<void> {
    const r = toReport.get(assetId);
    if (!r || disposed) return;
    toReport.delete(assetId);
    try {
      const after = await api.review(assetId, r.suggestionId, r.label);
      if (!disposed) put(assetId, { kind: 'ready', suggestion: after });
    } catch (e) {
      if (disposed) return;
      if (e instanceof ApiError && e.code === 'suggestion_superseded') {
        // A newer model's run took its place: nothing to count.
        const s = suggestionOf(assetId);
        if (s) put(assetId, { kind: 'ready', suggestion: { ...s, status: 'superseded' } });
      } else if (isRetryable(e) && tries < REPORT_TRIES && !toReport.has(assetId)) {
        // Lost on the way (offline, a busy server): sent again a little later, unless a newer label came.
        toReport.set(assetId, r);
        const t = setTimeout(() => {
          timers.delete(t);
          void report(assetId, tries + 1);
        }, retryMs * tries);
        timers.add(t);
      }
    }
  }

  return {
    mode,
    byAsset,
    suggestionOf,

    /** Reads the project's models once: suggestions are on with an active model whose labels match. */
    async open(): Promise<void> {
      try {
        const list = await api.list(projectId);
        const active = list.models.find((m) => m.active) ?? null;
        if (!active) mode.value = { kind: 'off' };
        else if (!list.inference_available) mode.value = { kind: 'blocked', model: active, message: UNAVAILABLE_MESSAGE };
        else if (!active.labels_hash_ok) {
          mode.value = {
            kind: 'blocked',
            model: active,
            message: `The categories changed since “${active.name}” was trained: it gives no suggestions until a new model is registered.`,
          };
        } else mode.value = { kind: 'on', model: active };
      } catch {
        mode.value = { kind: 'off' };
      }
    },

    /** Reads the suggestions of these assets that are not read yet (the current one first). */
    load(assetIds: readonly number[]): void {
      if (mode.value.kind !== 'on') return;
      for (const id of assetIds) {
        if (byAsset.value.has(id)) continue;
        put(id, { kind: 'loading' });
        api.suggestion(id).then(
          (s) => {
            if (!disposed) put(id, s ? { kind: 'ready', suggestion: s } : { kind: 'none' });
          },
          (e: unknown) => {
            if (disposed) return;
            const err = suggestionErrorMessage(e);
            put(id, { kind: 'error', ...err });
            // The whole feature is off, not this image: say it once, ask no more.
            if (err.code === 'inference_unavailable' || err.code === 'labels_hash_mismatch') {
              const cur = mode.value;
              mode.value = { kind: 'blocked', model: cur.kind === 'on' ? cur.model : null, message: err.message };
            }
          },
        );
      }
    },

    /** A change the labeler applied to an asset: its label is reported once the write is acknowledged. */
    noteChange(a: Asset, change: AnnotationChange): void {
      const s = suggestionOf(a.id);
      const label = labelOfChange(change);
      if (!s || !reviewable(s) || label === null) return;
      toReport.set(a.id, { suggestionId: s.suggestion_id, label });
    },

    /** The write queue's answer for an asset. */
    onWrite(kind: 'ack' | 'reject', assetId: number): void {
      if (kind === 'ack') void report(assetId);
      else toReport.delete(assetId);
    },

    /** Whether an asset still holds a suggestion nobody answered (the queue's badge). */
    isPending(a: Asset): boolean {
      const s = suggestionOf(a.id);
      if (s) return s.status === 'pending' && !toReport.has(a.id);
      return a.suggested === true;
    },

    dispose(): void {
      disposed = true;
      toReport.clear();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export type Suggestions = ReturnType<typeof createSuggestions>;
