import { FormEvent, useState } from 'react';
import { DashboardConfig, devSignIn, Session } from '../session';

/**
 * Without a token the page explains where one comes from. In development the dashboard's server
 * offers a sign-in as a simulator user; in production the partner's app opens the page with a
 * token its backend minted.
 */
export function SignIn({ config, reason, onSignedIn }: { config: DashboardConfig; reason: string | null; onSignedIn: (session: Session) => void }) {
  const [aui, setAui] = useState(config.devUsers[0] ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onSignedIn(await devSignIn(aui.trim()));
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <div className="sign-in-card">
        <p className="brand" aria-hidden="true">◆ Earnings</p>
        <h1>Your cash back and rewards</h1>
        {reason && <p role="alert" className="notice notice-warning">{reason}</p>}
        {config.devSignIn ? (
          <form onSubmit={(event) => void submit(event)}>
            <p className="muted">Development sign-in: pick a simulator user. The page receives a user token valid for 15 minutes, never an API key.</p>
            <label htmlFor="aui">User (AUI)</label>
            <input id="aui" name="aui" list="dev-users" value={aui} onChange={(event) => setAui(event.target.value)} required autoComplete="off" />
            <datalist id="dev-users">
              {config.devUsers.map((user) => <option key={user} value={user} />)}
            </datalist>
            {problem && <p role="alert" className="inline-error">{problem}</p>}
            <button type="submit" className="button" disabled={busy || aui.trim() === ''}>{busy ? 'Signing in…' : 'Sign in'}</button>
          </form>
        ) : (
          <p>Open your earnings from the app you shop with: it signs you in here.</p>
        )}
      </div>
    </main>
  );
}
