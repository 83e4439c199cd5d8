// The box tool: two canvases over the image (useCanvasLayers). The lower one
// holds every box but the selected one and is redrawn only when the boxes,
// the selection or the size change; the upper one holds the selected (or
// moving) box, the box being drawn and the crosshair, and is redrawn at most
// once a frame while the pointer moves. Dragging one box among a thousand therefore redraws one
// box. Left drag on empty space draws, on a box moves it, on a handle
// resizes it; other buttons and the wheel reach the viewer (pan and zoom),
// also in the middle of a drag, since positions are read from the canvas's
// on-screen rectangle at every move.
import { useRef } from 'preact/hooks';
import type { Category } from '../../api/types';
import { drawCrosshair, useCanvasLayers, type LayerScale } from '../canvas/useCanvasLayers';
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
  const drag = useRef<Drag | null>(null);
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const names = useRef(new Map<number, string>());
  names.current = new Map(categories.map((c) => [c.id, c.name]));

  const boxes = editor.boxes.value;
  const selected = editor.selected.value;
  const hidden = editor.hidden.value;

  function drawBase(ctx: CanvasRenderingContext2D, { s, unit }: LayerScale): void {
    if (editor.hidden.value) return;
    const d = drag.current;
    const skip = d && d.kind !== 'draw' ? d.id : editor.selected.value;
    drawBoxes(ctx, editor.boxes.value, s, skip, 1.5 * unit);
  }

  function drawTop(ctx: CanvasRenderingContext2D, scale: LayerScale, c: HTMLCanvasElement): void {
    const { s, unit } = scale;
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
    drawCrosshair(ctx, pointer.current, scale, c);
  }

  // Redraw both layers when what they show changes, or the frame is resized (zoom is a CSS scale: no redraw).
  const layers = useCanvasLayers(editor.width, editor.height, { base: drawBase, top: drawTop }, [boxes, selected, hidden, editor], GRAB);
  const { wrap, base, top, toImage, scheduleTop } = layers;

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
    layers.drawBase();
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
    layers.drawBase();
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
