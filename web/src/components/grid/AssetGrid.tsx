// A virtualized grid of asset thumbnails: only the rows in view (plus a
// little overscan) are in the DOM, so only their thumbnails load, and
// 100,000 assets scroll like 100. Reusable: the assets tab opens a tile,
// the review screen passes selection props for multi-select.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { STATUS_NAME } from '../../lib/status';
import { StatusBadge } from '../StatusBadge';
import type { Asset } from '../../api/assets';
import { thumbnailUrl } from '../../api/assets';
import { gridLayout, moveIndex, tilePosition, visibleRange } from '../../lib/virtualGrid';
import { VideoBadge } from './VideoBadge';
import './grid.css';
import '../suggestions/suggestions.css';

export interface AssetGridProps {
  count: number;
  getItem: (index: number) => Asset | undefined;
  /** The grid shows [start, end): load what is missing. */
  onRange: (start: number, end: number) => void;
  onOpen?: (asset: Asset, index: number) => void;
  hrefFor?: (asset: Asset) => string;
  selected?: ReadonlySet<number>;
  onToggleSelect?: (asset: Asset, index: number, e: MouseEvent | KeyboardEvent) => void;
  minTile?: number;
  /** Other keys on the active tile (A, R, digits, Enter...): true when handled. */
  onKey?: (asset: Asset, index: number, e: KeyboardEvent) => boolean;
  label?: string;
  /** Drawn over a tile's thumbnail (the boxes of a detection project). */
  tileOverlay?: (a: Asset) => ComponentChildren;
  /** Names the category of a labeled tile (a chip on the thumbnail); undefined hides it. */
  categoryName?: (id: number) => string | undefined;
  /** A control in a tile's corner (a delete button), placed beside the tile's link, not inside it. */
  tileAction?: (a: Asset) => ComponentChildren;
}


export function AssetGrid(props: AssetGridProps) {
  const { count, getItem, onRange, onOpen, hrefFor, selected, onToggleSelect, categoryName, minTile = 150 } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const layout = useMemo(() => gridLayout(size.width, count, minTile), [size.width, count, minTile]);
  const range = visibleRange(layout, count, scrollTop, size.height);

  useEffect(() => {
    if (range.end > range.start) onRange(range.start, range.end);
  }, [range.start, range.end, onRange]);

  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  };

  const focusIndex = (i: number) => {
    setActive(i);
    const el = scroller.current;
    if (!el) return;
    const { top } = tilePosition(layout, i);
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + layout.tile > el.scrollTop + el.clientHeight) el.scrollTop = top + layout.tile - el.clientHeight;
    requestAnimationFrame(() => el.querySelector<HTMLElement>(`[data-index="${i}"]`)?.focus());
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (count === 0) return;
    if (['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) {
      e.preventDefault();
      focusIndex(moveIndex(layout, count, active, e.key));
      return;
    }
    const asset = getItem(active);
    if (!asset) return;
    if (props.onKey && !e.ctrlKey && !e.metaKey && !e.altKey && props.onKey(asset, active, e)) {
      e.preventDefault();
      return;
    }
    if (e.key === ' ' && onToggleSelect) {
      e.preventDefault();
      onToggleSelect(asset, active, e);
    } else if (e.key === 'Enter' && onOpen && !hrefFor) {
      e.preventDefault();
      onOpen(asset, active);
    }
  };

  const tiles = [];
  for (let i = range.start; i < range.end; i++) {
    const a = getItem(i);
    const { top, left } = tilePosition(layout, i);
    const style = { top: `${top}px`, left: `${left}px`, width: `${layout.tile}px`, height: `${layout.tile}px` };
    if (!a) {
      tiles.push(<div key={`p${i}`} class="ag-tile ag-placeholder" style={style} aria-hidden="true" />);
      continue;
    }
    const isSel = selected?.has(a.id) ?? false;
    const cls = `ag-tile${isSel ? ' ag-selected' : ''}`;
    const catId = a.annotation.category_ids[0];
    const catName = catId !== undefined && categoryName ? (categoryName(catId) ?? `#${catId}`) : undefined;
    const title = `${a.file_name} · ${a.width}×${a.height} · ${STATUS_NAME[a.annotation.status]}${catName ? ` · ${catName}` : ''}${a.suggested ? ' · suggested' : ''}`;
    const body = (
      <>
        <img src={thumbnailUrl(a.id)} alt={a.file_name} loading="lazy" decoding="async" draggable={false} />
        {props.tileOverlay?.(a)}
        <StatusBadge status={a.annotation.status} class="ag-status" />
        {catName && <span class="ag-label">{catName}</span>}
        <VideoBadge source={a.source} />
        {a.suggested && (
          <span class="sugg-badge ag-suggested" title="A model suggested a label: not yet reviewed" data-testid="tile-suggested">
            suggested
          </span>
        )}
        <span class="ag-name">{a.file_name}</span>
        {onToggleSelect && <span class="ag-check" aria-hidden="true">{isSel ? '✓' : ''}</span>}
      </>
    );
    const common = {
      key: a.id,
      class: cls,
      style,
      title,
      'data-index': i,
      tabIndex: i === active ? 0 : -1,
      role: 'gridcell' as const,
      'aria-selected': onToggleSelect ? isSel : undefined,
      onFocus: () => setActive(i),
      onClick: (e: MouseEvent) => {
        if (onToggleSelect && (e.shiftKey || e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          onToggleSelect(a, i, e);
          return;
        }
        if (hrefFor && (e.button !== 0 || e.ctrlKey || e.metaKey)) return;
        if (onOpen) {
          e.preventDefault();
          onOpen(a, i);
        }
      },
    };
    tiles.push(
      hrefFor ? (
        <a href={hrefFor(a)} {...common}>
          {body}
        </a>
      ) : (
        <div {...common}>{body}</div>
      ),
    );
    if (props.tileAction) {
      tiles.push(
        <div key={`x${a.id}`} class="ag-tile-action" style={{ top: `${top + 4}px`, left: `${left + layout.tile - 4}px` }}>
          {props.tileAction(a)}
        </div>,
      );
    }
  }

  return (
    <div
      class="ag-scroller"
      ref={scroller}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
      role="grid"
      aria-label={props.label ?? 'Assets'}
      aria-rowcount={layout.rows}
      data-count={count}
    >
      <div class="ag-canvas" style={{ height: `${layout.totalHeight}px` }}>
        {tiles}
      </div>
    </div>
  );
}
