import type { AnnotationStatus } from '../api/assets';
import { STATUS_ICON, STATUS_NAME } from '../lib/status';
import './status.css';

/** A status as its icon in its colour, with its name shown (`named`) or as the accessible name. */
export function StatusBadge({ status, named = false, class: cls = '' }: { status: AnnotationStatus; named?: boolean; class?: string }) {
  const name = STATUS_NAME[status];
  return (
    <span class={`st st-${status}${named ? ' st-named' : ''} ${cls}`.trim()} data-status={status} title={name}>
      <span class="st-icon" aria-hidden="true">
        {STATUS_ICON[status]}
      </span>
      {named ? <span class="st-name">{name}</span> : <span class="sr-only">{name}</span>}
    </span>
  );
}
