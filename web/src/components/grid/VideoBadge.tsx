// The badge of a video frame's tile: "▶ frame 30 · 00:01.000".
import type { AssetSource } from '../../api/assets';
import { frameLabel } from '../../lib/videoFrame';
import './VideoBadge.css';

export function VideoBadge({ source }: { source: AssetSource }) {
  if (source.type !== 'video_frame') return null;
  return (
    <span class="ag-video" data-testid="video-badge" title={`${source.video_file_name} · ${frameLabel(source)}`}>
      ▶ {frameLabel(source)}
    </span>
  );
}
