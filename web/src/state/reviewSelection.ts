// Review-grid selection: explicit ids (click, ctrl-click, shift-click for a
// range) or "everything matching the filter". DOM-free.

export type Selection = { kind: 'ids'; ids: ReadonlySet<number>; anchor: number | null } | { kind: 'all' };

export const EMPTY: Selection = { kind: 'ids', ids: new Set(), anchor: null };

/** Toggles one item; it becomes the anchor of the next range. */
export function toggle(sel: Selection, id: number, index: number): Selection {
  const ids = new Set(sel.kind === 'ids' ? sel.ids : []);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { kind: 'ids', ids, anchor: index };
}

/** Adds the range from the anchor to index (inclusive); idAt reads loaded items. */
export function extend(sel: Selection, index: number, idAt: (i: number) => number | undefined): Selection {
  const ids = new Set(sel.kind === 'ids' ? sel.ids : []);
  const anchor = sel.kind === 'ids' && sel.anchor !== null ? sel.anchor : index;
  const [lo, hi] = anchor <= index ? [anchor, index] : [index, anchor];
  for (let i = lo; i <= hi; i++) {
    const id = idAt(i);
    if (id !== undefined) ids.add(id);
  }
  return { kind: 'ids', ids, anchor };
}

export function selectedCount(sel: Selection, matching: number): number {
  return sel.kind === 'all' ? matching : sel.ids.size;
}

export function isSelected(sel: Selection, id: number): boolean {
  return sel.kind === 'all' || sel.ids.has(id);
}

/** Splits ids into chunks of at most size (bulk calls with progress). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface BulkTally {
  done: number;
  total: number;
  succeeded: number;
  failed: number;
  /** failure code -> how many */
  reasons: Record<string, number>;
}

/**
 * Runs a bulk action over ids in chunks, reporting progress after each
 * chunk. `send` returns per-asset results as the API does.
 */
export async function runChunked(
  ids: readonly number[],
  size: number,
  send: (chunk: number[]) => Promise<{ results: ({ ok: true } | { ok: false; error: { code: string } })[] }>,
  onProgress: (t: BulkTally) => void,
): Promise<BulkTally> {
  const t: BulkTally = { done: 0, total: ids.length, succeeded: 0, failed: 0, reasons: {} };
  onProgress({ ...t });
  for (const c of chunks(ids, size)) {
    const r = await send(c);
    for (const x of r.results) {
      if (x.ok) t.succeeded++;
      else {
        t.failed++;
        t.reasons[x.error.code] = (t.reasons[x.error.code] ?? 0) + 1;
      }
    }
    t.done += c.length;
    onProgress({ ...t, reasons: { ...t.reasons } });
  }
  return t;
}
