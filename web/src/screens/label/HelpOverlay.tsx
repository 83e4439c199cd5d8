import { keyCaps } from '../../state/keys';
import { commandById, type LabelCommand } from '../../state/labelActions';
import type { Gesture } from '../../state/taskActions';

/** Every command that has a key, from the same list the keyboard uses, and the image tool's mouse gestures. */
export function HelpOverlay({ commands, gestures = [] }: { commands: readonly LabelCommand[]; gestures?: readonly Gesture[] }) {
  const onClose = () => commandById(commands, 'close')?.run();
  return (
    <div class="help-backdrop" onClick={onClose}>
      <div
        class="help-card"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        onClick={(e) => e.stopPropagation()}
      >
        <div class="help-head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" class="btn btn-sm btn-ghost" onClick={onClose} aria-label="Close help">
            ×
          </button>
        </div>
        <table class="help-table">
          <tbody>
            {commands.filter((c) => c.keys.length > 0).map((c) => (
              <tr key={c.id}>
                <td class="help-keys">
                  {c.keys.map((combo) => keyCaps(combo).map((cap, j) => <kbd key={`${combo}${j}`}>{cap}</kbd>))}
                </td>
                <td>{c.position ? `Label as “${c.label}” and go to the next` : c.label}</td>
              </tr>
            ))}
            {gestures.map((g) => (
              <tr key={g.how} class="help-gesture">
                <td class="help-keys">
                  <kbd>{g.how}</kbd>
                </td>
                <td>{g.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
