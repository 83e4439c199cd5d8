import { useState } from 'preact/hooks';

/** The most characters of a flag's note (the API's limit). */
export const NOTE_MAX = 500;

/**
 * F asks why the image needs review: a small input over the label panel.
 * Enter flags with the note (none when empty), Esc flags without one.
 */
export function FlagNote({ onDone, onCancel }: { onDone: (note: string) => void; onCancel: () => void }) {
  const [text, setText] = useState('');
  return (
    <form
      class="flag-note"
      data-testid="flag-note"
      aria-label="Why it needs review"
      onSubmit={(e) => {
        e.preventDefault();
        onDone(text.trim());
      }}
    >
      <label class="small" for="flag-note-input">
        Why does it need review? <span class="muted">Enter flags · Esc flags without a note</span>
      </label>
      <input
        id="flag-note-input"
        class="input"
        maxLength={NOTE_MAX}
        value={text}
        autoFocus
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone('');
          }
        }}
        onBlur={onCancel}
      />
    </form>
  );
}
