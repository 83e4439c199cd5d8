// The project's models: task type, input, outputs, labels_hash (with the
// warning when it is not the project's current categories_hash), which one
// is active, and a button to make another one active.
import type { Model } from '../../api/models';
import { formatBytes } from '../../lib/bytes';
import { formatDateTime } from '../../lib/format';
import { bareHash, modelWarning } from '../../lib/models';
import { taskTypeLabel } from '../../lib/taskTypes';

interface Props {
  models: readonly Model[];
  categoriesHash: string;
  loaded: boolean;
  canManage: boolean;
  /** The model being switched, while its answer is awaited. */
  busy: number | null;
  onActivate: (m: Model, active: boolean) => void;
}

export function ModelTable({ models, categoriesHash, loaded, canManage, busy, onActivate }: Props) {
  return (
    <table class="table model-table" aria-label="Models">
      <thead>
        <tr>
          <th>Model</th>
          <th>Task</th>
          <th>Input</th>
          <th class="col-num">Outputs</th>
          <th>labels_hash</th>
          <th>Registered</th>
          <th class="col-active">Active</th>
        </tr>
      </thead>
      <tbody>
        {models.map((m) => {
          const warning = modelWarning(m, categoriesHash);
          return (
            <tr key={m.id} data-model-id={m.id} class={m.active ? 'model-row model-active' : 'model-row'}>
              <td>
                <strong class="model-name">{m.name}</strong>
                <div class="muted small mono" title={m.checksum_sha256}>
                  #{m.id} · {formatBytes(m.byte_size)}
                </div>
              </td>
              <td class="small">{taskTypeLabel(m.task_type)}</td>
              <td class="small mono">
                {m.input.width}×{m.input.height} {m.input.channels.toUpperCase()} {m.input.layout.toUpperCase()}
              </td>
              <td class="col-num mono">{m.outputs.length}</td>
              <td class="small">
                <code class="mono" title={m.labels_hash}>
                  {bareHash(m.labels_hash).slice(0, 12)}
                </code>
                {warning ? (
                  <p class="model-warning" role="note" data-testid="labels-hash-warning">
                    ⚠ {warning}
                  </p>
                ) : (
                  <div class="muted small">matches the categories</div>
                )}
              </td>
              <td class="small">
                {formatDateTime(m.created_at)}
                {m.created_by && <div class="muted">{m.created_by}</div>}
              </td>
              <td class="col-active">
                {m.active && (
                  <span class="badge badge-active" data-testid="model-active">
                    active
                  </span>
                )}
                {canManage &&
                  (m.active ? (
                    <button type="button" class="btn btn-sm btn-ghost" disabled={busy !== null} onClick={() => onActivate(m, false)}>
                      Deactivate
                    </button>
                  ) : (
                    <button
                      type="button"
                      class="btn btn-sm"
                      disabled={busy !== null}
                      onClick={() => onActivate(m, true)}
                      data-testid="make-active"
                    >
                      {busy === m.id ? 'Saving…' : 'Make active'}
                    </button>
                  ))}
              </td>
            </tr>
          );
        })}
        {loaded && models.length === 0 && (
          <tr>
            <td colSpan={7} class="empty">
              No models yet. Export the labels, train on them (contract/python/train_example.py), and register the .onnx
              it writes with its metadata file.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
