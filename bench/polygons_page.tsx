// The page of bench/polygons: the labeling screen's polygon tool
// (PolygonCanvas and the polygon editor, unchanged) over a 12 MP image with
// N objects of V vertices each, fitted into a 1000x750 frame as the viewer
// does. Object 0 is selected, so that its vertices can be dragged. Bundled
// by bench/polygons_browser.mjs.
import { render } from 'preact';
import { PolygonCanvas } from '../web/src/components/polygons/PolygonCanvas';
import { createPolygonEditor } from '../web/src/state/polygonEditor';

const W = 4000;
const H = 3000;
const params = new URLSearchParams((window as unknown as { benchParams?: string }).benchParams ?? '');
const n = Number(params.get('polygons') ?? 300);
const v = Number(params.get('vertices') ?? 50);

// A 12 MP image (a gradient), as an <img> like the viewer's.
const big = document.createElement('canvas');
big.width = W;
big.height = H;
const g = big.getContext('2d');
if (g) {
  const grad = g.createLinearGradient(0, 0, W, H);
  grad.addColorStop(0, '#335');
  grad.addColorStop(1, '#9a7');
  g.fillStyle = grad;
  g.fillRect(0, 0, W, H);
}

let seed = 42;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

/** A star-shaped ring (so never self-crossing) of v points around (cx, cy); jitter 0 gives a regular polygon. */
function star(cx: number, cy: number, r: number, jitter: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v; i++) {
    const a = (2 * Math.PI * i) / v;
    const rr = r * (1 - jitter * rnd());
    out.push(Math.round((cx + rr * Math.cos(a)) * 100) / 100, Math.round((cy + rr * Math.sin(a)) * 100) / 100);
  }
  return out;
}

// Object 0 is a regular polygon around (1200, 1100), radius 150: its vertex 0
// at (1350, 1100), i.e. (337.5, 275) on the frame, is the one dragged
// (outwards, to the right). The others keep clear of it and of the drag.
function other(): number[] {
  for (;;) {
    const r = 40 + rnd() * 110;
    const cx = r + rnd() * (W - 2 * r);
    const cy = r + rnd() * (H - 2 * r);
    if (cx + r < 1000 || cx - r > 1900 || cy + r < 900 || cy - r > 1350) return star(cx, cy, r, 0.5);
  }
}
const objects = Array.from({ length: n }, (_, i) => ({
  id: `o${i}`,
  category_id: 1 + (i % 8),
  polygons: [i === 0 ? star(1200, 1100, 150, 0) : other()],
}));
const editor = createPolygonEditor({ width: W, height: H });
editor.load(objects);
editor.select('o0');
(window as unknown as { editor: typeof editor }).editor = editor;
const cats = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, name: `class ${i + 1}`, display_order: i, state: 'active' as const }));

const root = document.getElementById('root');
big.toBlob((blob) => {
  if (!root || !blob) return;
  render(
    <div style={{ position: 'relative', width: '1000px', height: '750px' }}>
      {!params.get('noimg') && <img src={URL.createObjectURL(blob)} width={1000} height={750} style={{ display: 'block' }} decoding="sync" />}
      <div style={{ position: 'absolute', inset: 0 }}>
        <PolygonCanvas editor={editor} categories={cats} />
      </div>
    </div>,
    root,
  );
  (window as unknown as { ready: boolean }).ready = true;
});
