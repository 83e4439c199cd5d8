// The polygon tool: two canvases over the image (useCanvasLayers). The lower
// one holds every object but the selected one and is redrawn only when the
// objects, the selection, hiding, fill or the size change; the upper one
// holds the selected (or dragged) object with its vertices, the ring being
// drawn and the crosshair, and is redrawn at most once a frame while the
// pointer moves: dragging one vertex among 15,000 redraws one object.
//
// Left button: a click adds a point to the ring being drawn (on empty space
// it starts one; on the first point, or Enter, it closes); on an object it
// selects it; on a vertex of the selected object it selects the vertex, and
// a drag moves it; on an edge of it, or Alt+click anywhere, it inserts a
// vertex there (and a drag places it); Shift-drag moves the whole object.
// Other buttons and the wheel reach the viewer (pan and zoom), also while
// drawing, since positions are read from the canvas's on-screen rectangle.
import { useEffect, useRef } from 'preact/hooks';
import type { Category } from '../../api/types';
import { distinctPoints, pointEdgesIntersect, pointInRings } from '../../lib/polygon';
import { clampPoint, hitPolygons, nearestEdgeOf, translateRings, type PolygonEditor } from '../../state/polygonEditor';
import { categoryColor } from '../boxes/boxDraw';
import { drawCrosshair, useCanvasLayers, type LayerScale } from '../canvas/useCanvasLayers';
import { FILL_ALPHA, drawEdited, drawOpenRing, drawPolygons } from './polyDraw';
import '../boxes/boxes.css';

type Drag =
  | { kind: 'vertex'; id: string; ring: number; index: number; live: number[]; moved: boolean }
  | { kind: 'insert'; id: string; ring: number; edge: number; live: number[] }
  | { kind: 'move'; id: string; x0: number; y0: number; dx: number; dy: number };

/** Vertex and edge grab distance, in screen pixels. */
const GRAB = 7;

export function PolygonCanvas({ editor, categories }: { editor: PolygonEditor; categories: readonly Category[] }) {
  const drag = useRef<Drag | null>(null);
  const pointer = useRef<{ x: number; y: number; tol: number } | null>(null);
  const names = useRef(new Map<number, string>());
  names.current = new Map(categories.map((c) => [c.id, c.name]));

  const objects = editor.objects.value;
  const selected = editor.selected.value;
  const vertex = editor.vertex.value;
  const hidden = editor.hidden.value;
  const filled = editor.filled.value;
  const drawing = editor.drawing.value;

  const fill = () => (editor.filled.value ? FILL_ALPHA : 0);

  function drawBase(ctx: CanvasRenderingContext2D, { s, unit }: LayerScale): void {
    if (editor.hidden.value) return;
    drawPolygons(ctx, editor.objects.value, s, drag.current?.id ?? editor.selected.value, 1.5 * unit, fill());
  }

  /** The rings of the edited object as they are now (mid-drag: the live ones). */
  function liveRings(id: string): number[][] | null {
    const o = editor.objects.value.find((x) => x.id === id);
    if (!o) return null;
    const d = drag.current;
    if (d?.kind === 'move') return translateRings(o.polygons, d.dx, d.dy, editor.width, editor.height);
    if (d) return o.polygons.map((r, k) => (k === d.ring ? d.live : r));
    return o.polygons;
  }

  function drawTop(ctx: CanvasRenderingContext2D, scale: LayerScale, c: HTMLCanvasElement): void {
    const { s, unit } = scale;
    const d = drag.current;
    const id = d?.id ?? editor.selected.value;
    const o = id ? editor.objects.value.find((x) => x.id === id) : undefined;
    const rings = id ? liveRings(id) : null;
    if (o && rings && (!editor.hidden.value || d)) {
      const v = d?.kind === 'vertex' ? { ring: d.ring, index: d.index } : d?.kind === 'insert' ? { ring: d.ring, index: d.edge + 1 } : editor.vertex.value;
      const invalid = d?.kind === 'vertex' && d.moved && pointEdgesIntersect(d.live, d.index);
      drawEdited(ctx, rings, o.category_id, names.current.get(o.category_id) ?? '', { s, unit, fill: fill(), vertex: v, invalid });
    }
    const dr = editor.drawing.value;
    const p = pointer.current;
    if (dr) {
      const target = dr.target ? editor.objects.value.find((x) => x.id === dr.target) : undefined;
      const cat = target?.category_id ?? editor.newCategory.value ?? 0;
      drawOpenRing(ctx, dr.points, p, categoryColor(cat), !!p && closesAt(dr.points, p), s, unit);
    }
    drawCrosshair(ctx, p, scale, c);
  }

  /** Whether a click at p closes the ring: on its first point, with 3 points or more. */
  function closesAt(points: readonly number[], p: { x: number; y: number; tol: number }): boolean {
    return distinctPoints(points) >= 3 && Math.hypot((points[0] ?? 0) - p.x, (points[1] ?? 0) - p.y) <= p.tol;
  }

  const layers = useCanvasLayers(editor.width, editor.height, { base: drawBase, top: drawTop }, [objects, selected, hidden, filled, editor], GRAB);
  const { wrap, base, top, toImage, scheduleTop } = layers;
  // What only the upper layer shows: the ring being drawn, the selected vertex.
  useEffect(scheduleTop, [drawing, vertex]);

  function onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    e.preventDefault();
    const p = toImage(e);
    const dr = editor.drawing.value;
    if (dr) {
      if (closesAt(dr.points, p)) editor.closeRing();
      else editor.addPoint(p.x, p.y);
      return;
    }
    const sel = editor.selected.value ? editor.objects.value.find((o) => o.id === editor.selected.value) : undefined;
    if (sel && e.altKey && !editor.hidden.value) {
      const near = nearestEdgeOf(sel, p.x, p.y);
      const r = near ? sel.polygons[near.ring] : undefined;
      if (near && r) startInsert(e, sel.id, near.ring, near.edge, r, p);
      return;
    }
    const hit = editor.hidden.value ? null : hitPolygons(editor.objects.value, editor.selected.value, p.x, p.y, p.tol);
    if (hit && e.shiftKey) {
      // Shift-drag moves the whole object (the selected one when the press is on it).
      const id = sel && pointInRings(sel.polygons, p.x, p.y) ? sel.id : hit.id;
      editor.select(id);
      drag.current = { kind: 'move', id, x0: p.x, y0: p.y, dx: 0, dy: 0 };
    } else if (hit?.kind === 'vertex') {
      editor.selectVertex(hit.id, { ring: hit.ring, index: hit.index });
      const r = editor.objects.value.find((o) => o.id === hit.id)?.polygons[hit.ring] ?? [];
      drag.current = { kind: 'vertex', id: hit.id, ring: hit.ring, index: hit.index, live: [...r], moved: false };
    } else if (hit?.kind === 'edge') {
      const r = sel?.polygons[hit.ring];
      if (r) startInsert(e, hit.id, hit.ring, hit.edge, r, hit);
      return;
    } else if (hit) {
      editor.select(hit.id);
      return;
    } else {
      editor.select(null);
      editor.addPoint(p.x, p.y);
      return;
    }
    top.current?.setPointerCapture(e.pointerId);
    layers.drawBase();
    scheduleTop();
  }

  function startInsert(e: PointerEvent, id: string, ring: number, edge: number, r: readonly number[], at: { x: number; y: number }): void {
    const [x, y] = clampPoint(at.x, at.y, editor.width, editor.height);
    drag.current = { kind: 'insert', id, ring, edge, live: [...r.slice(0, 2 * edge + 2), x, y, ...r.slice(2 * edge + 2)] };
    top.current?.setPointerCapture(e.pointerId);
    layers.drawBase();
    scheduleTop();
  }

  function onPointerMove(e: PointerEvent): void {
    const p = toImage(e);
    const [x, y] = clampPoint(p.x, p.y, editor.width, editor.height);
    pointer.current = { x, y, tol: p.tol };
    const d = drag.current;
    if (d?.kind === 'vertex') {
      d.live[2 * d.index] = x;
      d.live[2 * d.index + 1] = y;
      d.moved = true;
    } else if (d?.kind === 'insert') {
      d.live[2 * d.edge + 2] = x;
      d.live[2 * d.edge + 3] = y;
    } else if (d?.kind === 'move') {
      d.dx = p.x - d.x0;
      d.dy = p.y - d.y0;
    }
    scheduleTop();
  }

  function onPointerUp(e: PointerEvent): void {
    const d = drag.current;
    if (!d || e.button !== 0) return;
    drag.current = null;
    top.current?.releasePointerCapture(e.pointerId);
    if (d.kind === 'vertex' && d.moved) {
      editor.setRing(d.id, d.ring, d.live);
    } else if (d.kind === 'insert') {
      editor.insertPoint(d.id, d.ring, d.edge, d.live[2 * d.edge + 2] ?? 0, d.live[2 * d.edge + 3] ?? 0);
    } else if (d.kind === 'move') {
      editor.moveObject(d.id, d.dx, d.dy);
    }
    layers.drawBase();
    scheduleTop();
  }

  const onLeave = () => {
    pointer.current = null;
    scheduleTop();
  };

  const sel = selected ? objects.find((o) => o.id === selected) : undefined;
  return (
    <div
      class="box-canvas"
      ref={wrap}
      data-testid="polygon-canvas"
      data-object-count={objects.length}
      data-ring-count={objects.reduce((n, o) => n + o.polygons.length, 0)}
      data-selected={selected ?? ''}
      data-selected-rings={sel ? sel.polygons.length : ''}
      data-vertex={vertex ? `${vertex.ring}:${vertex.index}` : ''}
      data-drawing={drawing ? String(drawing.points.length / 2) : ''}
      data-hidden={hidden ? 'true' : 'false'}
      data-filled={filled ? 'true' : 'false'}
      data-can-undo={String(editor.canUndo.value)}
      data-can-redo={String(editor.canRedo.value)}
    >
      <canvas ref={base} class="box-layer" />
      <canvas
        ref={top}
        class="box-layer box-layer-top"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={onLeave}
        // Left presses are the tool's; other buttons pan the viewer.
        onMouseDown={(e) => {
          if (e.button === 0) e.stopPropagation();
        }}
      />
    </div>
  );
}
