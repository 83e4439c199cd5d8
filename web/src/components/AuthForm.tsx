import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { User } from '../api/types';
import { errorMessage } from '../api/errors';
import { signedIn } from '../state/session';
import { Field } from './Field';
import { FormError } from './FormError';

/** A labelled text input of an auth form (its hint, when given, describes it). */
export function TextField(props: {
  id: string;
  label: string;
  hint?: string;
  name: string;
  type?: 'text' | 'password';
  autoComplete: string;
  autoFocus?: boolean;
  value: string;
  onValue: (v: string) => void;
}) {
  const { id, label, hint, name, type, autoComplete, autoFocus, value, onValue } = props;
  return (
    <Field id={id} label={label} hint={hint}>
      <input
        id={id}
        aria-describedby={hint ? `${id}-hint` : undefined}
        name={name}
        type={type}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
      />
    </Field>
  );
}

/**
 * The form of the login and first-account screens: check() names what is
 * wrong with the input (or null), send() asks the server and gives the
 * user to sign in; a failure is shown under the fields unless
 * handled(err) takes care of it.
 */
export function AuthForm(props: {
  check: () => string | null;
  send: () => Promise<User>;
  handled?: (err: unknown) => Promise<boolean>;
  submit: string;
  busy: string;
  children: ComponentChildren;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: Event) {
    e.preventDefault();
    const problem = props.check();
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError('');
    try {
      signedIn(await props.send());
    } catch (err) {
      setBusy(false);
      if (!(props.handled && (await props.handled(err)))) setError(errorMessage(err));
    }
  }

  return (
    <form class="stack" onSubmit={onSubmit} noValidate>
      {props.children}
      <FormError message={error} />
      <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
        {busy ? props.busy : props.submit}
      </button>
    </form>
  );
}
