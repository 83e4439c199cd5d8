// The page of bench/boxes: the labeling screen's box tool (BoxCanvas and
// the box editor, unchanged) over a 12 MP image with N boxes, fitted into a
// 1000x750 frame as the viewer does. Bundled by bench/boxes_browser.mjs.
import { render } from 'preact';
import { BoxCanvas } from '../web/src/components/boxes/BoxCanvas';
import { createBoxEditor } from '../web/src/state/boxEditor';

const W = 4000;
const H = 3000;
const params = new URLSearchParams((window as unknown as { benchParams?: string }).benchParams ?? '');
const n = Number(params.get('boxes') ?? 1000);

// A 12 MP image (a gradient with noise), as an <img> like the viewer's.
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

// Deterministic boxes spread over the image; box 0 is the one dragged, at (1000, 1000).
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
// The others keep clear of the path of the drag, so that the press grabs box 0.
function other(): [number, number, number, number] {
  for (;;) {
    const b: [number, number, number, number] = [rnd() * (W - 300), rnd() * (H - 300), 20 + rnd() * 280, 20 + rnd() * 280];
    if (b[0] + b[2] < 1100 || b[0] > 1250 || b[1] + b[3] < 1050 || b[1] > 1150) return b;
  }
}
const boxes = Array.from({ length: n }, (_, i) => ({
  id: `o${i}`,
  category_id: 1 + (i % 8),
  bbox: i === 0 ? ([1000, 1000, 300, 200] as [number, number, number, number]) : other(),
}));
const editor = createBoxEditor({ width: W, height: H });
editor.load(boxes);
(window as unknown as { editor: typeof editor }).editor = editor;
const cats = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, name: `class ${i + 1}`, display_order: i, state: 'active' as const }));

const root = document.getElementById('root');
big.toBlob((blob) => {
  if (!root || !blob) return;
  render(
    <div style={{ position: 'relative', width: '1000px', height: '750px' }}>
      {!params.get('noimg') && <img src={URL.createObjectURL(blob)} width={1000} height={750} style={{ display: 'block' }} decoding="sync" />}
      <div style={{ position: 'absolute', inset: 0 }}>{n >= 0 && <BoxCanvas editor={editor} categories={cats} />}</div>
    </div>,
    root,
  );
  (window as unknown as { ready: boolean }).ready = true;
});
