import { useEffect, useRef, useState } from 'preact/hooks';
import { exportsApi, type ExportVersion } from '../../api/exports';
import { pollDelay, upsertVersion } from '../../state/exports';
import { useResource } from '../../state/resource';
import { dismissToast, showToast } from '../../state/toasts';
import type { ProjectTabProps } from '../../routes';
import { canManage } from '../../lib/roles';
import { useConfirmAction } from '../../components/ConfirmAction';
import { CreateExportPanel } from './CreateExportPanel';
import { ExportRow } from './ExportRow';

export function ExportsScreen({ project }: ProjectTabProps) {
  const list = useResource(() => exportsApi.list(project.id).then((r) => r.exports), [] as ExportVersion[], [project.id]);
  const versions = list.value.value;
  const loaded = list.loaded.value;
  const loadError = list.error.value;
  const load = list.load;
  const [previewKey, setPreviewKey] = useState(0);
  const attempt = useRef(0);

  // While a version is queued or building, refresh the list (with back-off).
  useEffect(() => {
    const delay = pollDelay(versions, attempt.current);
    if (delay === null) {
      attempt.current = 0;
      return;
    }
    const t = setTimeout(() => {
      attempt.current++;
      void load();
    }, delay);
    return () => clearTimeout(t);
  }, [versions, load]);

  // The "queued" toast goes as soon as its version is no longer queued or building.
  const queuedToast = useRef<{ version: number; id: number } | null>(null);
  useEffect(() => {
    const q = queuedToast.current;
    const v = q && versions.find((x) => x.version === q.version);
    if (q && v && v.state !== 'queued' && v.state !== 'building') {
      dismissToast(q.id);
      queuedToast.current = null;
    }
  }, [versions]);

  const confirm = useConfirmAction();
  function askDelete(ex: ExportVersion) {
    confirm.ask({
      title: `Delete version ${ex.version}?`,
      body: (
        <p>
          Its files and download are removed for good. Its row and hash stay, so a later identical version still says
          so. To have it again, create a new version.
        </p>
      ),
      confirmLabel: 'Delete version',
      danger: true,
      run: async () => {
        await exportsApi.remove(ex.id);
        list.set((prev) => prev.filter((x) => x.id !== ex.id));
        setPreviewKey((k) => k + 1);
        return `Version ${ex.version} deleted: its files are removed, its hash is kept.`;
      },
    });
  }

  function onCreated(ex: ExportVersion) {
    attempt.current = 0;
    list.set((prev) => upsertVersion(prev, ex));
    setPreviewKey((k) => k + 1);
    queuedToast.current = { version: ex.version, id: showToast(`Version ${ex.version} queued.`, 'info', 8000) };
  }

  return (
    <section class="exports" aria-label="Exports">
      {canManage(project) ? (
        <CreateExportPanel projectId={project.id} taskType={project.task_type} refreshKey={previewKey} onCreated={onCreated} />
      ) : (
        <p class="muted small">Only a manager of this project creates dataset versions.</p>
      )}

      {loadError && (
        <div class="notice notice-error" role="alert">
          {loadError}{' '}
          <button type="button" class="btn btn-sm" onClick={() => void load()}>
            Retry
          </button>
        </div>
      )}

      <table class="table export-table" aria-label="Dataset versions">
        <thead>
          <tr>
            <th class="col-version">Version</th>
            <th class="col-xstate">State</th>
            <th class="col-num">Images</th>
            <th class="col-selection">Selection</th>
            <th class="col-hash" title="sha256 of annotations.json: equal hashes mean equal datasets">
              Hash
            </th>
            <th class="col-created">Created</th>
            <th class="col-num">Size</th>
            <th class="col-actions">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((ex) => (
            <ExportRow key={ex.id} version={ex} onDelete={canManage(project) ? askDelete : undefined} />
          ))}
          {loaded && versions.length === 0 && !loadError && (
            <tr>
              <td colSpan={8} class="empty">
                No versions yet. Choose the statuses to include above and create version 1.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {confirm.dialog}
    </section>
  );
}
