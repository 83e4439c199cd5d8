import type { ComponentChildren } from 'preact';

/** The centred card used by the setup and login pages. */
export function AuthCard({ title, intro, children }: { title: string; intro?: string; children: ComponentChildren }) {
  return (
    <main class="auth-page">
      <div class="auth-card">
        <div class="auth-brand">
          <span class="brand-mark" aria-hidden="true" />
          Tessera
        </div>
        <h1 class="auth-title">{title}</h1>
        {intro && <p class="auth-intro">{intro}</p>}
        {children}
      </div>
    </main>
  );
}
