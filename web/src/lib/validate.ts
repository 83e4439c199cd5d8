// Client-side checks that mirror the server's rules, so that obvious
// mistakes are caught before a round trip. The server stays the authority.

export const USER_NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;

/** A message for the first problem found, or '' when the form is fine. */
export function checkNewAccount(name: string, password: string, repeat?: string): string {
  if (!USER_NAME_RE.test(name)) return 'Names are 1 to 64 characters: letters, digits, dot, dash or underscore.';
  if (password.length < PASSWORD_MIN) return `Passwords need at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Passwords have at most ${PASSWORD_MAX} characters.`;
  if (repeat !== undefined && repeat !== password) return 'The two passwords do not match.';
  return '';
}
