// Upload a video from the upload panel: pick a file, choose N frames per
// second or N evenly spaced frames, then watch the upload and extraction
// progress. Frames appear in the grid as they are stored.
import { useRef, useState } from 'preact/hooks';
import { formatBytes } from '../../lib/bytes';
import { parseVideoMode, videoFraction, videoProgressText } from '../../lib/videoFrame';
import type { ModeKind } from '../../lib/videoFrame';
import type { VideoRow, VideoUploads } from '../../state/videoUploads';
import './videos.css';

function Row({ row }: { row: VideoRow }) {
  const v = row.video;
  const uploading = row.phase === 'uploading';
  const frac = uploading ? (row.size ? row.loaded / row.size : 0) : v ? videoFraction(v) : 0;
  const text = uploading
    ? `Uploading · ${formatBytes(row.loaded)} / ${formatBytes(row.size)}`
    : row.phase === 'failed'
      ? row.message ?? 'Refused'
      : v
        ? videoProgressText(v)
        : '';
  const state = row.phase === 'video' && v ? v.state : row.phase;
  return (
    <li class={`vu-row vu-${state}`} data-state={state}>
      <span class="vu-name" title={row.name}>
        {row.name}
      </span>
      <span class="vu-size mono">{formatBytes(row.size)}</span>
      <span
        class="up-bar"
        role="progressbar"
        aria-label={`Progress of ${row.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(frac * 100)}
      >
        <span style={{ width: `${Math.round(frac * 100)}%` }} />
      </span>
      <span class="vu-text" data-testid="video-progress" title={text}>
        {text}
      </span>
    </li>
  );
}

/** One way of choosing frames: its radio button and its number. */
function ModeChoice(props: {
  checked: boolean;
  onPick: () => void;
  inputMode: 'decimal' | 'numeric';
  label: string;
  value: string;
  onValue: (value: string) => void;
  unit: string;
}) {
  return (
    <label class="vu-choice">
      <input type="radio" name="vu-kind" checked={props.checked} onChange={props.onPick} />
      <input
        class="vu-num mono"
        type="text"
        inputMode={props.inputMode}
        aria-label={props.label}
        value={props.value}
        onFocus={props.onPick}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
      <span>{props.unit}</span>
    </label>
  );
}

export function VideoUploadPanel({ uploads }: { uploads: VideoUploads }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<ModeKind>('fps');
  const [fps, setFps] = useState('1');
  const [frames, setFrames] = useState('30');
  const [error, setError] = useState<string | null>(null);
  const rows = uploads.rows.value;

  const submit = (e: Event) => {
    e.preventDefault();
    if (!file) {
      setError('Choose a video first.');
      return;
    }
    const mode = parseVideoMode(kind, kind === 'fps' ? fps : frames);
    if (typeof mode === 'string') {
      setError(mode);
      return;
    }
    setError(null);
    void uploads.add(file, mode);
    setFile(null);
  };

  return (
    <section class="vu-panel" aria-label="Upload a video">
      <form class="vu-form" onSubmit={submit}>
        <span class="vu-title">Video</span>
        <button type="button" class="btn btn-sm" onClick={() => input.current?.click()}>
          Choose video…
        </button>
        <span class={`vu-file${file ? '' : ' muted'}`} data-testid="video-file" title={file?.name}>
          {file ? `${file.name} · ${formatBytes(file.size)}` : 'MP4, MOV, MKV, WebM …'}
        </span>
        <input
          ref={input}
          type="file"
          accept="video/*,.mp4,.mov,.mkv,.webm,.avi"
          class="sr-only"
          tabIndex={-1}
          aria-label="Choose a video file"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0] ?? null;
            setFile(f);
            setError(null);
            e.currentTarget.value = '';
          }}
        />
        <fieldset class="vu-mode">
          <legend class="sr-only">Which frames</legend>
          <ModeChoice
            checked={kind === 'fps'}
            onPick={() => setKind('fps')}
            inputMode="decimal"
            label="Frames per second"
            value={fps}
            onValue={setFps}
            unit="per second"
          />
          <ModeChoice
            checked={kind === 'frames'}
            onPick={() => setKind('frames')}
            inputMode="numeric"
            label="Number of evenly spaced frames"
            value={frames}
            onValue={setFrames}
            unit="evenly spaced"
          />
        </fieldset>
        <button type="submit" class="btn btn-primary btn-sm" disabled={!file}>
          Extract frames
        </button>
        {rows.some((r) => r.phase === 'failed' || (r.video && (r.video.state === 'ready' || r.video.state === 'failed'))) && (
          <button type="button" class="btn btn-ghost btn-sm vu-clear" onClick={() => uploads.clearFinished()}>
            Clear
          </button>
        )}
      </form>
      {error && (
        <p class="vu-error" role="alert">
          {error}
        </p>
      )}
      {rows.length > 0 && (
        <ul class="vu-list" aria-label="Videos" data-testid="video-rows">
          {rows.map((r) => (
            <Row key={r.key} row={r} />
          ))}
        </ul>
      )}
    </section>
  );
}
