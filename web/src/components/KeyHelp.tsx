import { keyCaps, type KeyCommand } from '../state/keys';
import './KeyHelp.css';

/** A one-line legend of keyboard commands, generated from their list. */
export function KeyHelp({ commands }: { commands: readonly KeyCommand[] }) {
  return (
    <ul class="key-help" aria-label="Keyboard shortcuts for the focused row">
      {commands.map((c) => (
        <li key={c.id}>
          {c.keys.map((combo, i) => (
            <span key={combo}>
              {i > 0 && <span class="key-or">/</span>}
              {keyCaps(combo).map((cap, j) => (
                <span key={j}>
                  {j > 0 && '+'}
                  <kbd>{cap}</kbd>
                </span>
              ))}
            </span>
          ))}{' '}
          {c.label}
        </li>
      ))}
    </ul>
  );
}
