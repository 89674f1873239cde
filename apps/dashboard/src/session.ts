/**
 * The signed-in user: a short-lived JWT whose `sub` is the AUI. A partner's app hands it over in
 * the URL fragment (`#token=...`, never sent to a server); the page keeps it for the tab only.
 */
export interface Session {
  token: string;
  aui: string;
  expiresAtMs: number | null;
}

const storageKey = 'earnings-dashboard-token';

/** Reads the claims without verifying them: the query service verifies; the page only needs whose page and until when. */
export function sessionOf(token: string): Session | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown; exp?: unknown };
    if (typeof claims.sub !== 'string' || claims.sub === '') return null;
    return { token, aui: claims.sub, expiresAtMs: typeof claims.exp === 'number' ? claims.exp * 1000 : null };
  } catch {
    return null;
  }
}

export const isExpired = (session: Session, nowMs: number): boolean => session.expiresAtMs !== null && session.expiresAtMs <= nowMs;

/** A token in the fragment wins (and leaves the address bar), else the tab's stored one. */
export function restoreSession(): Session | null {
  const fromFragment = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromFragment) {
    history.replaceState(null, '', window.location.pathname + window.location.search);
    sessionStorage.setItem(storageKey, fromFragment);
  }
  const token = sessionStorage.getItem(storageKey);
  return token ? sessionOf(token) : null;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(storageKey, session.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(storageKey);
}

/** What the dashboard's server says about itself (GET /config.json). */
export interface DashboardConfig {
  devSignIn: boolean;
  devUsers: string[];
}

export async function loadConfig(): Promise<DashboardConfig> {
  try {
    const response = await fetch('/config.json');
    if (!response.ok) return { devSignIn: false, devUsers: [] };
    return (await response.json()) as DashboardConfig;
  } catch {
    return { devSignIn: false, devUsers: [] };
  }
}

/** Development only: the dashboard's server mints a short-lived token for a simulator user (refused outside development). */
export async function devSignIn(aui: string): Promise<Session> {
  const response = await fetch('/dev/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aui }) });
  const body = (await response.json().catch(() => ({}))) as { token?: string; error?: string };
  const session = body.token ? sessionOf(body.token) : null;
  if (!response.ok || !session) throw new Error(body.error ?? `sign-in failed (HTTP ${response.status})`);
  return session;
}
