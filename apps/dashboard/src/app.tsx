import { useEffect, useMemo, useState } from 'react';
import { formatDateTime } from './dates';
import { BalanceCards } from './components/balance-cards';
import { EarningsChart } from './components/earnings-chart';
import { PayoutProgress } from './components/payout-progress';
import { SecurityHoldNotice } from './components/security-hold-notice';
import { PayoutsList } from './components/payouts-list';
import { SignIn } from './components/sign-in';
import { StatementPanel } from './components/statement';
import { Transactions } from './components/transactions';
import { WaitingExplainer } from './components/waiting-explainer';
import { QueryClient, QueryFailure, sameOriginEndpoint } from './graphql/client';
import { Summary } from './graphql/types';
import { clearSession, DashboardConfig, isExpired, loadConfig, restoreSession, saveSession, Session } from './session';
import { LiveStatus, useDashboard } from './use-dashboard';

const expiredMessage = 'Your session has ended. Sign in again to see your earnings.';

export function App() {
  const [config, setConfig] = useState<DashboardConfig | null>(null);
  const [session, setSession] = useState<Session | null>(() => restoreSession());
  const [signInReason, setSignInReason] = useState<string | null>(null);

  useEffect(() => {
    void loadConfig().then(setConfig);
  }, []);

  const signOut = (reason: string | null) => {
    clearSession();
    setSession(null);
    setSignInReason(reason);
  };

  if (session && isExpired(session, Date.now())) {
    return <SignIn config={config ?? { devSignIn: false, devUsers: [] }} reason={expiredMessage} onSignedIn={(next) => { saveSession(next); setSession(next); }} />;
  }
  if (!session) {
    if (!config) return <main className="sign-in" id="main" aria-busy="true"><p className="muted">Loading…</p></main>;
    return <SignIn config={config} reason={signInReason} onSignedIn={(next) => { saveSession(next); setSignInReason(null); setSession(next); }} />;
  }
  return <Dashboard key={session.token} session={session} onSignOut={signOut} />;
}

function Dashboard({ session, onSignOut }: { session: Session; onSignOut: (reason: string | null) => void }) {
  const client = useMemo(() => new QueryClient(sameOriginEndpoint(), session.token), [session.token]);
  useEffect(() => () => client.close(), [client]);
  const { state, live, reload } = useDashboard(client, session.aui);

  useEffect(() => {
    if (state.status === 'failed' && state.failure.kind === 'session-expired') onSignOut(expiredMessage);
  }, [state, onSignOut]);

  // The query service closes the live feed when the token expires; the page goes back to sign-in then too.
  useEffect(() => {
    if (session.expiresAtMs === null) return;
    const timer = window.setTimeout(() => onSignOut(expiredMessage), Math.max(0, session.expiresAtMs - Date.now()));
    return () => window.clearTimeout(timer);
  }, [session.expiresAtMs, onSignOut]);

  return (
    <>
      <a className="skip-link" href="#main">Skip to your earnings</a>
      <header className="topbar">
        <p className="brand">◆ Earnings</p>
        <div className="topbar-side">
          <LiveIndicator live={live} />
          <span className="muted user" title="Your user id">{session.aui}</span>
          <button type="button" className="button button-ghost" onClick={() => onSignOut(null)}>Sign out</button>
        </div>
      </header>
      <main id="main" className="page" aria-busy={state.status === 'loading'}>
        {state.status === 'loading' && <Skeleton />}
        {state.status === 'failed' && <Failure failure={state.failure} onRetry={reload} />}
        {state.status === 'ready' && <Ready summary={state.summary} stale={state.stale} changedAt={state.changedAt} client={client} aui={session.aui} onRetry={reload} />}
      </main>
    </>
  );
}

function Ready({ summary, stale, changedAt, client, aui, onRetry }: { summary: Summary; stale: boolean; changedAt: number; client: QueryClient; aui: string; onRetry: () => void }) {
  const units = summary.earnings.balances.map((balance) => balance.unit);
  const [chosen, setChosen] = useState<string | null>(null);
  const unit = chosen && units.includes(chosen) ? chosen : units[0];
  const balance = summary.earnings.balances.find((entry) => entry.unit === unit);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Your earnings</h1>
          {summary.earnings.updatedAt && <p className="muted">Updated {formatDateTime(summary.earnings.updatedAt)}</p>}
        </div>
        {units.length > 1 && (
          <div className="filters" role="group" aria-label="Currency or reward">
            {units.map((entry) => (
              <button type="button" key={entry} className="chip" aria-pressed={entry === unit} onClick={() => setChosen(entry)}>{entry}</button>
            ))}
          </div>
        )}
      </div>
      {stale && (
        <p role="alert" className="notice notice-warning">
          We can't reach the earnings service right now; these figures may be out of date. <button type="button" className="link" onClick={onRetry}>Try again</button>
        </p>
      )}
      {!balance ? (
        <section className="panel empty">
          <h2>No earnings yet</h2>
          <p className="muted">Shop through the app and your cash back shows up here, usually within minutes of the purchase.</p>
        </section>
      ) : (
        <>
          {summary.earnings.securityHold && <SecurityHoldNotice hold={summary.earnings.securityHold} />}
          <BalanceCards balance={balance} />
          <div className="grid">
            <PayoutProgress schedule={summary.payoutSchedule.find((entry) => entry.unit === unit)} held={summary.earnings.securityHold !== null} />
            <WaitingExplainer waiting={summary.waiting.edges.map((edge) => edge.node)} unit={unit} />
          </div>
          <EarningsChart series={summary.earningsHistory.find((entry) => entry.unit === unit)} />
          <div className="grid grid-wide-first">
            <Transactions client={client} aui={aui} unit={unit} refreshedAt={changedAt} />
            <PayoutsList payouts={summary.payouts.edges.map((edge) => edge.node)} unit={unit} />
          </div>
          <StatementPanel client={client} aui={aui} unit={unit} refreshedAt={changedAt} />
        </>
      )}
    </>
  );
}

function LiveIndicator({ live }: { live: LiveStatus }) {
  const label = live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Updates paused';
  return <span className={`live live-${live}`} role="status" data-testid="live-status"><span className="live-dot" aria-hidden="true" />{label}</span>;
}

function Failure({ failure, onRetry }: { failure: QueryFailure; onRetry: () => void }) {
  const messages: Record<QueryFailure['kind'], string> = {
    forbidden: 'This sign-in does not give access to these earnings.',
    'session-expired': expiredMessage,
    unavailable: "We can't reach the earnings service right now. Your money is safe; please try again in a moment.",
    'bad-request': 'Something went wrong on our side showing your earnings. We have been told; please try again later.',
  };
  const message = messages[failure.kind];
  return (
    <section className="panel empty" role="alert" data-testid="failure">
      <h2>{failure.kind === 'forbidden' ? 'Not allowed' : 'Earnings unavailable'}</h2>
      <p>{message}</p>
      {failure.kind === 'unavailable' && <button type="button" className="button" onClick={onRetry}>Try again</button>}
    </section>
  );
}

function Skeleton() {
  return (
    <div aria-label="Loading your earnings" role="status">
      <div className="page-head"><div className="skeleton skeleton-title" /></div>
      <div className="cards">{Array.from({ length: 5 }, (_unused, index) => <div key={index} className="card skeleton skeleton-card" />)}</div>
    </div>
  );
}
