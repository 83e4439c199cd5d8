// Layout of a virtualized grid of square tiles: how many columns fit, how
// tall the whole grid is, and which items a scroll position shows. Pure.

export interface GridLayout {
  columns: number;
  /** Tile edge in pixels (tiles stretch to fill the row). */
  tile: number;
  gap: number;
  /** Tile plus gap: the distance between row tops. */
  rowHeight: number;
  rows: number;
  totalHeight: number;
}

export function gridLayout(width: number, count: number, minTile = 150, gap = 8): GridLayout {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + gap) / (minTile + gap)));
  const tile = Math.max(1, Math.floor((usable - gap * (columns - 1)) / columns));
  const rowHeight = tile + gap;
  const rows = Math.ceil(Math.max(0, count) / columns);
  return { columns, tile, gap, rowHeight, rows, totalHeight: rows > 0 ? rows * rowHeight - gap : 0 };
}

export interface VisibleRange {
  /** First item index shown (inclusive). */
  start: number;
  /** One past the last item shown. */
  end: number;
}

/** The items in the rows that intersect [scrollTop, scrollTop + viewport), plus overscan rows each side. */
export function visibleRange(
  layout: GridLayout,
  count: number,
  scrollTop: number,
  viewport: number,
  overscanRows = 2,
): VisibleRange {
  if (count <= 0 || layout.rows === 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const firstRow = Math.max(0, Math.floor(top / layout.rowHeight) - overscanRows);
  const lastRow = Math.min(layout.rows - 1, Math.floor((top + Math.max(0, viewport)) / layout.rowHeight) + overscanRows);
  return { start: firstRow * layout.columns, end: Math.min(count, (lastRow + 1) * layout.columns) };
}

/** Pixel position of item i. */
export function tilePosition(layout: GridLayout, i: number): { top: number; left: number } {
  const row = Math.floor(i / layout.columns);
  const col = i % layout.columns;
  return { top: row * layout.rowHeight, left: col * (layout.tile + layout.gap) };
}

/** The item index reached from i by an arrow key, clamped to [0, count). */
export function moveIndex(layout: GridLayout, count: number, i: number, key: string): number {
  let j = i;
  if (key === 'ArrowRight') j = i + 1;
  else if (key === 'ArrowLeft') j = i - 1;
  else if (key === 'ArrowDown') j = i + layout.columns;
  else if (key === 'ArrowUp') j = i - layout.columns;
  else if (key === 'Home') j = 0;
  else if (key === 'End') j = count - 1;
  return Math.max(0, Math.min(count - 1, j));
}
