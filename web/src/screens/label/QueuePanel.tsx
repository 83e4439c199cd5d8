import { useEffect, useRef } from 'preact/hooks';
import type { Asset, AssetFilter, QueueMode } from '../../api/assets';
import { StatusBadge } from '../../components/StatusBadge';
import { FILTER_LABEL } from '../../lib/status';
import type { LocalAnnotation } from '../../state/labelLocal';
import type { RecentItem } from '../../state/labelUndo';

const WINDOW = 40;

const MODE_LABEL: Record<QueueMode, string> = {
  order: 'In order',
  suggested: 'Suggested, not yet reviewed',
  sampling: 'Most useful first (latest ranking)',
};

export function QueuePanel({
  filter,
  onFilter,
  mode,
  onMode,
  suggested,
  items,
  index,
  total,
  effective,
  onPick,
  onPrev,
  onNext,
  recent,
  showRecent,
  onShowRecent,
  onOpenRecent,
}: {
  filter: AssetFilter;
  onFilter: (f: AssetFilter) => void;
  /** Which images of the filter the queue takes, in which order. */
  mode: QueueMode;
  onMode: (m: QueueMode) => void;
  /** Whether an image holds a suggestion nobody answered yet (a badge). */
  suggested: (a: Asset) => boolean;
  items: readonly Asset[];
  index: number;
  total: number;
  effective: (a: Asset) => LocalAnnotation;
  onPick: (i: number) => void;
  onPrev: () => void;
  onNext: () => void;
  /** The images labeled last (newest first) and whether the list shows them instead of the queue. */
  recent: readonly RecentItem[];
  showRecent: boolean;
  onShowRecent: (on: boolean) => void;
  onOpenRecent: (assetId: number) => void;
}) {
  const start = Math.max(0, Math.min(index - 8, items.length - WINDOW));
  const shown = items.slice(start, start + WINDOW);
  const count = Math.max(total, items.length);
  const list = useRef<HTMLOListElement>(null);
  const currentId = items[index]?.id;
  // Keep the current item in sight while the keyboard moves through the queue.
  useEffect(() => {
    list.current?.querySelector('[aria-current]')?.scrollIntoView({ block: 'nearest' });
  }, [currentId, index]);
  return (
    <aside class="queue-panel" aria-label="Queue">
      <label class="queue-filter">
        <span class="sr-only">Queue filter</span>
        <select
          value={filter}
          onChange={(e) => {
            onFilter((e.currentTarget as HTMLSelectElement).value as AssetFilter);
            (e.currentTarget as HTMLSelectElement).blur();
          }}
        >
          {(Object.keys(FILTER_LABEL) as AssetFilter[]).map((f) => (
            <option key={f} value={f}>
              {FILTER_LABEL[f]}
            </option>
          ))}
        </select>
      </label>
      <label class="queue-order">
        <span class="sr-only">Queue order</span>
        <select
          value={mode}
          data-testid="queue-mode"
          onChange={(e) => {
            onMode((e.currentTarget as HTMLSelectElement).value as QueueMode);
            (e.currentTarget as HTMLSelectElement).blur();
          }}
        >
          {(Object.keys(MODE_LABEL) as QueueMode[]).map((m) => (
            <option key={m} value={m}>
              {MODE_LABEL[m]}
            </option>
          ))}
        </select>
      </label>
      <div class="queue-nav">
        <button type="button" class="btn btn-sm" onClick={onPrev} disabled={index <= 0} title="Previous (←)">
          ←
        </button>
        <span class="queue-pos mono" data-testid="queue-position">
          {items.length ? index + 1 : 0} / {count}
        </span>
        <button
          type="button"
          class="btn btn-sm"
          onClick={onNext}
          disabled={index >= items.length - 1}
          title="Next (→)"
        >
          →
        </button>
      </div>
      <div class="queue-switch" role="group" aria-label="List">
        <button type="button" class="btn btn-sm btn-ghost" aria-pressed={!showRecent} onClick={() => onShowRecent(false)}>
          Queue
        </button>
        <button
          type="button"
          class="btn btn-sm btn-ghost"
          aria-pressed={showRecent}
          onClick={() => onShowRecent(true)}
          data-testid="recent-toggle"
        >
          Recent <span class="mono">{recent.length}</span>
        </button>
      </div>
      {showRecent ? (
        <ol class="queue-list" data-testid="recent-list">
          {recent.length === 0 && <li class="muted small queue-none">Nothing labeled yet.</li>}
          {recent.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                class={r.id === currentId ? 'queue-item queue-item-current' : 'queue-item'}
                onClick={() => onOpenRecent(r.id)}
              >
                <span class="queue-name">{r.file_name}</span>
                <span class="queue-id mono">#{r.id}</span>
              </button>
            </li>
          ))}
        </ol>
      ) : (
      <ol class="queue-list" ref={list}>
        {shown.map((a, k) => {
          const i = start + k;
          const st = effective(a).status;
          return (
            <li key={a.id}>
              <button
                type="button"
                tabIndex={-1}
                class={i === index ? 'queue-item queue-item-current' : 'queue-item'}
                aria-current={i === index ? 'true' : undefined}
                onClick={() => onPick(i)}
              >
                <StatusBadge status={st} />
                <span class="queue-name">{a.file_name}</span>
                {suggested(a) && (
                  <span class="sugg-badge" title="Suggested, not yet reviewed" data-testid="queue-suggested">
                    suggested
                  </span>
                )}
                <span class="queue-id mono">#{a.id}</span>
              </button>
            </li>
          );
        })}
      </ol>
      )}
    </aside>
  );
}
