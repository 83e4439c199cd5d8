import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fileUrl, type Asset } from '../../api/assets';
import { frameLabel } from '../../lib/videoFrame';
import { zoomBy, type ViewTransform } from '../../lib/view';

/** Fitted size of a w x h image in a box, never upscaled past 8x. */
function fit(w: number, h: number, box: { w: number; h: number }) {
  if (!w || !h || !box.w || !box.h) return { w: 0, h: 0 };
  const s = Math.min(box.w / w, box.h / h, 8);
  return { w: Math.round(w * s), h: Math.round(h * s) };
}

/**
 * The image, fitted, with zoom (wheel, +/-) and pan (drag), and an overlay
 * layer above it with the image's exact box: empty in v1, the place where
 * boxes and polygons will be drawn.
 */
export function Viewer({
  asset,
  view,
  onView,
  empty,
  overlay,
}: {
  asset: Asset | null;
  view: ViewTransform;
  onView: (v: ViewTransform) => void;
  /** What to say when there is no asset to show. */
  empty?: ComponentChildren;
  /** Drawn over the image in its exact box (the box tool); it keeps left drags, other buttons pan. */
  overlay?: ComponentChildren;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const drag = useRef<{ x: number; y: number; vx: number; vy: number } | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth - 24, h: el.clientHeight - 24 }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  if (!asset) {
    return (
      <div class="viewer" ref={box}>
        <p class="muted viewer-empty">{empty ?? 'Nothing to show in this queue.'}</p>
      </div>
    );
  }
  const f = fit(asset.width, asset.height, size);
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    onView(zoomBy(view, e.deltaY < 0 ? 1.2 : 1 / 1.2));
  };
  const onDown = (e: MouseEvent) => {
    if (view.zoom === 1) return;
    if (e.button === 1) e.preventDefault(); // no autoscroll: the middle button pans
    drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
  };
  const onMove = (e: MouseEvent) => {
    const d = drag.current;
    if (d) onView({ ...view, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y });
  };
  const onUp = () => {
    drag.current = null;
  };
  return (
    <div
      class={view.zoom > 1 ? 'viewer viewer-zoomed' : 'viewer'}
      ref={box}
      onWheel={onWheel}
      onMouseDown={onDown}
      onMouseMove={onMove}
      onMouseUp={onUp}
      onMouseLeave={onUp}
    >
      <div
        class="viewer-frame"
        style={{
          width: `${f.w}px`,
          height: `${f.h}px`,
          transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`,
        }}
      >
        <img
          class="viewer-img"
          data-testid="viewer-img"
          data-asset-id={asset.id}
          src={fileUrl(asset.id)}
          alt={asset.file_name}
          width={f.w}
          height={f.h}
          draggable={false}
          decoding="sync"
        />
        <div class="overlay-layer" data-testid="overlay-layer" aria-hidden="true">
          {overlay}
        </div>
      </div>
      <div class="viewer-info mono">
        {asset.file_name} · {asset.width}×{asset.height}
        {asset.source?.type === 'video_frame' && (
          <span class="viewer-source" data-testid="viewer-source">
            · from {asset.source.video_file_name} (video {asset.source.video_id}), {frameLabel(asset.source)}
          </span>
        )}
        {f.w > asset.width * 1.01 && (
          <span class="viewer-upscaled" data-testid="viewer-upscaled" title="A small image, scaled up to fit: its pixels are enlarged">
            {' '}
            · ⤢ scaled up {(f.w / asset.width).toFixed(1)}×
          </span>
        )}
        {view.zoom > 1 && ` · ${Math.round(view.zoom * 100)}%`}
      </div>
    </div>
  );
}
