import type { Stats } from '../../api/labeling';
import { StatusBadge } from '../../components/StatusBadge';
import { STATUSES } from '../../lib/status';
import type { QueueStatus } from '../../state/writeQueue';


export function StatusCounters({ stats }: { stats: Stats | null }) {
  return (
    <dl class="status-counters" data-testid="status-counters">
      {STATUSES.map((k) => (
        <div key={k} class={`counter counter-${k}`}>
          <dt>
            <StatusBadge status={k} named />
          </dt>
          <dd data-status={k}>{stats ? stats.counts[k].toLocaleString('en-US') : '–'}</dd>
        </div>
      ))}
    </dl>
  );
}

const SAVE_TEXT: Record<QueueStatus, string> = { saved: 'Saved', saving: 'Saving…', offline: 'Offline' };

export function SaveIndicator({ status, pending }: { status: QueueStatus; pending: number }) {
  return (
    <span class={`save-indicator save-${status}`} data-testid="save-indicator" data-status={status} role="status">
      <span class="save-dot" aria-hidden="true" />
      {SAVE_TEXT[status]}
      {pending > 0 && <span class="muted"> · {pending} pending</span>}
    </span>
  );
}
