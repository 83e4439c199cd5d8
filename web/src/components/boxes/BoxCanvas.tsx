// The box tool: two canvases over the image. The lower one holds every box
// but the selected one and is redrawn only when the boxes, the selection or
// the size change; the upper one holds the selected (or moving) box, the box
// being drawn and the crosshair, and is redrawn at most once a frame while
// the pointer moves. Dragging one box among a thousand therefore redraws one
// box. Left drag on empty space draws, on a box moves it, on a handle
// resizes it; other buttons and the wheel reach the viewer (pan and zoom),
// also in the middle of a drag, since positions are read from the canvas's
// on-screen rectangle at every move.
import { useEffect, useRef } from 'preact/hooks';
import type { Category } from '../../api/types';
import { hitTest, moveBbox, resizeBbox, spanBbox, type Bbox, type BoxEditor, type Handle } from '../../state/boxEditor';
import { drawBoxes, drawSelected } from './boxDraw';
import './boxes.css';

type Drag =
  | { kind: 'draw'; x0: number; y0: number; x: number; y: number }
  | { kind: 'move'; id: string; x0: number; y0: number; orig: Bbox; live: Bbox }
  | { kind: 'resize'; id: string; handle: Handle; orig: Bbox; live: Bbox };

/** Handle grab distance, in screen pixels. */
const GRAB = 7;

export function BoxCanvas({ editor, categories }: { editor: BoxEditor; categories: readonly Category[] }) {
  const wrap = useRef<HTMLDivElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const top = useRef<HTMLCanvasElement>(null);
  const drag = useRef<Drag | null>(null);
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const frame = useRef(0);
  const names = useRef(new Map<number, string>());
  names.current = new Map(categories.map((c) => [c.id, c.name]));

  const boxes = editor.boxes.value;
  const selected = editor.selected.value;
  const hidden = editor.hidden.value;

  /** Canvas pixels per image pixel, and per CSS pixel. */
  const scales = () => {
    const c = base.current;
    return c ? { s: c.width / editor.width, unit: c.width / Math.max(1, c.clientWidth) } : { s: 1, unit: 1 };
  };

  function sizeCanvases(): boolean {
    const w = wrap.current;
    if (!w) return false;
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.max(1, Math.round(w.clientWidth * dpr));
    const ch = Math.max(1, Math.round(w.clientHeight * dpr));
    let changed = false;
    for (const c of [base.current, top.current]) {
      if (c && (c.width !== cw || c.height !== ch)) {
        c.width = cw;
        c.height = ch;
        changed = true;
      }
    }
    return changed;
  }

  function drawBase(): void {
    const c = base.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    if (editor.hidden.value) return;
    const d = drag.current;
    const skip = d && d.kind !== 'draw' ? d.id : editor.selected.value;
    const { s, unit } = scales();
    drawBoxes(ctx, editor.boxes.value, s, skip, 1.5 * unit);
  }

  function drawTop(): void {
    frame.current = 0;
    const c = top.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    const { s, unit } = scales();
    const d = drag.current;
    if (!editor.hidden.value || d) {
      const id = d && d.kind !== 'draw' ? d.id : editor.selected.value;
      const b = id ? editor.boxes.value.find((x) => x.id === id) : undefined;
      if (b) {
        const bbox = d && d.kind !== 'draw' ? d.live : b.bbox;
        drawSelected(ctx, bbox, b.category_id, names.current.get(b.category_id) ?? '', s, unit);
      }
    }
    if (d?.kind === 'draw') {
      const [x, y, w, h] = spanBbox(d.x0, d.y0, d.x, d.y);
      ctx.lineWidth = 1.5 * unit;
      ctx.setLineDash([6 * unit, 4 * unit]);
      ctx.strokeStyle = '#fff';
      ctx.strokeRect(x * s, y * s, w * s, h * s);
      ctx.setLineDash([]);
    }
    const p = pointer.current;
    if (p) {
      ctx.lineWidth = unit;
      ctx.strokeStyle = 'rgba(255,255,255,0.7)';
      ctx.beginPath();
      ctx.moveTo(0, p.y * s);
      ctx.lineTo(c.width, p.y * s);
      ctx.moveTo(p.x * s, 0);
      ctx.lineTo(p.x * s, c.height);
      ctx.stroke();
    }
  }

  const scheduleTop = () => {
    if (!frame.current) frame.current = requestAnimationFrame(drawTop);
  };

  // Redraw both layers when what they show changes, or the frame is resized (zoom is a CSS scale: no redraw).
  useEffect(() => {
    sizeCanvases();
    drawBase();
    drawTop();
  }, [boxes, selected, hidden, editor]);

  useEffect(() => {
    const w = wrap.current;
    if (!w) return;
    const ro = new ResizeObserver(() => {
      if (sizeCanvases()) {
        drawBase();
        drawTop();
      }
    });
    ro.observe(w);
    return () => {
      ro.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
    };
  }, [editor]);

  /** The pointer in image pixels (the canvas's on-screen rectangle includes zoom and pan). */
  function toImage(e: { clientX: number; clientY: number }): { x: number; y: number; tol: number } {
    const r = top.current?.getBoundingClientRect() ?? { left: 0, top: 0, width: 1, height: 1 };
    const k = editor.width / Math.max(1, r.width);
    return { x: (e.clientX - r.left) * k, y: (e.clientY - r.top) * (editor.height / Math.max(1, r.height)), tol: GRAB * k };
  }

  function onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    e.preventDefault();
    const p = toImage(e);
    const hit = editor.hidden.value ? null : hitTest(editor.boxes.value, editor.selected.value, p.x, p.y, p.tol);
    const b = hit ? editor.boxes.value.find((x) => x.id === hit.id) : undefined;
    if (hit && b) {
      editor.select(hit.id);
      drag.current = hit.handle
        ? { kind: 'resize', id: hit.id, handle: hit.handle, orig: b.bbox, live: b.bbox }
        : { kind: 'move', id: hit.id, x0: p.x, y0: p.y, orig: b.bbox, live: b.bbox };
    } else {
      editor.select(null);
      drag.current = { kind: 'draw', x0: p.x, y0: p.y, x: p.x, y: p.y };
    }
    top.current?.setPointerCapture(e.pointerId);
    drawBase();
    scheduleTop();
  }

  function onPointerMove(e: PointerEvent): void {
    const p = toImage(e);
    pointer.current = { x: Math.max(0, Math.min(editor.width, p.x)), y: Math.max(0, Math.min(editor.height, p.y)) };
    const d = drag.current;
    if (d?.kind === 'draw') {
      d.x = pointer.current.x;
      d.y = pointer.current.y;
    } else if (d?.kind === 'move') {
      d.live = moveBbox(d.orig, p.x - d.x0, p.y - d.y0, editor.width, editor.height);
    } else if (d?.kind === 'resize') {
      d.live = resizeBbox(d.orig, d.handle, p.x, p.y, editor.width, editor.height) ?? d.live;
    }
    scheduleTop();
  }

  function onPointerUp(e: PointerEvent): void {
    const d = drag.current;
    if (!d || e.button !== 0) return;
    drag.current = null;
    top.current?.releasePointerCapture(e.pointerId);
    if (d.kind === 'draw') editor.add(spanBbox(d.x0, d.y0, d.x, d.y));
    else editor.setBbox(d.id, d.live);
    drawBase();
    scheduleTop();
  }

  const onLeave = () => {
    pointer.current = null;
    scheduleTop();
  };

  return (
    <div
      class="box-canvas"
      ref={wrap}
      data-testid="box-canvas"
      data-box-count={boxes.length}
      data-selected={selected ?? ''}
      data-hidden={hidden ? 'true' : 'false'}
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
        // Left drags are the tool's; other buttons pan the viewer.
        onMouseDown={(e) => {
          if (e.button === 0) e.stopPropagation();
        }}
      />
    </div>
  );
}
