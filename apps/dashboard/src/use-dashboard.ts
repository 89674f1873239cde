import { useCallback, useEffect, useRef, useState } from 'react';
import { QueryClient, QueryFailure } from './graphql/client';
import { earningsUpdatedSubscription, summaryQuery, waitingQuery } from './graphql/queries';
import { Earnings, Summary } from './graphql/types';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export type DashboardState =
  | { status: 'loading' }
  | { status: 'failed'; failure: QueryFailure }
  | { status: 'ready'; summary: Summary; stale: boolean; changedAt: number };

/**
 * The summary (cards, schedule, payouts, chart, what is waiting), kept current by the live feed:
 * a pushed update replaces the balances at once, then the rest is read again. `changedAt` tells
 * the transactions list to read its first page again too.
 */
export function useDashboard(client: QueryClient, aui: string): { state: DashboardState; live: LiveStatus; reload: () => void } {
  const [state, setState] = useState<DashboardState>({ status: 'loading' });
  const [live, setLive] = useState<LiveStatus>('connecting');
  const latestRequest = useRef(0);

  const load = useCallback(async () => {
    const request = ++latestRequest.current;
    try {
      const [main, waiting] = await Promise.all([
        client.request<Omit<Summary, 'waiting'>>(summaryQuery, { aui }),
        client.request<Pick<Summary, 'waiting'>>(waitingQuery, { aui }),
      ]);
      const summary: Summary = { ...main, ...waiting };
      if (request === latestRequest.current) setState({ status: 'ready', summary, stale: false, changedAt: Date.now() });
    } catch (error) {
      if (request !== latestRequest.current) return;
      const failure = error instanceof QueryFailure ? error : new QueryFailure('unavailable', String(error));
      // Figures already on screen stay, marked stale, unless the session itself is over.
      setState((previous) => (previous.status === 'ready' && failure.kind === 'unavailable' ? { ...previous, stale: true } : { status: 'failed', failure }));
    }
  }, [client, aui]);

  useEffect(() => {
    void load();
    const applyPush = (data: { earningsUpdated: Earnings }) => {
      setLive('live');
      setState((previous) => (previous.status === 'ready' ? { ...previous, summary: { ...previous.summary, earnings: data.earningsUpdated } } : previous));
      void load();
    };
    return client.subscribe<{ earningsUpdated: Earnings }>(earningsUpdatedSubscription, { aui }, applyPush, () => setLive('offline'), () => setLive('live'));
  }, [client, aui, load]);

  return { state, live, reload: () => void load() };
}
