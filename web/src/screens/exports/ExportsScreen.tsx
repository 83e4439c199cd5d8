import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { exportsApi, type ExportVersion } from '../../api/exports';
import { errorMessage } from '../../api/errors';
import { pollDelay, upsertVersion } from '../../state/exports';
import { showToast } from '../../state/toasts';
import type { ProjectTabProps } from '../../routes';
import { canManage } from '../../lib/roles';
import { CreateExportPanel } from './CreateExportPanel';
import { ExportRow } from './ExportRow';

export function ExportsScreen({ project }: ProjectTabProps) {
  const [versions, setVersions] = useState<ExportVersion[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState('');
  const [previewKey, setPreviewKey] = useState(0);
  const attempt = useRef(0);

  const load = useCallback(async () => {
    try {
      const r = await exportsApi.list(project.id);
      setVersions(r.exports);
      setLoadError('');
    } catch (e) {
      setLoadError(errorMessage(e));
    } finally {
      setLoaded(true);
    }
  }, [project.id]);

  useEffect(() => {
    void load();
  }, [load]);

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

  function onCreated(ex: ExportVersion) {
    attempt.current = 0;
    setVersions((list) => upsertVersion(list, ex));
    setPreviewKey((k) => k + 1);
    showToast(`Version ${ex.version} queued.`);
  }

  return (
    <section class="exports" aria-label="Exports">
      {canManage(project) ? (
        <CreateExportPanel projectId={project.id} refreshKey={previewKey} onCreated={onCreated} />
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
              <span class="sr-only">Download</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((ex) => (
            <ExportRow key={ex.id} version={ex} />
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
    </section>
  );
}
