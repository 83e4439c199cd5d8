import type { ComponentChildren } from 'preact';

/**
 * A labelled form row. The label names the control (`for` = `id`) and the
 * hint, when given, describes it: give the control `aria-describedby={`${id}-hint`}`.
 */
export function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {label}
      </label>
      {children}
      {hint && (
        <span class="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
    </div>
  );
}
