import { useEffect, useRef, useState } from 'react';
import { formatDateTime } from '../dates';
import { QueryClient } from '../graphql/client';
import { commissionHistoryQuery } from '../graphql/queries';
import { CommissionVersion, Transaction } from '../graphql/types';
import { Amount } from './amount';
import { merchantName } from './merchant-logo';
import { CommissionBadge } from './status-badge';

type HistoryState = { status: 'loading' } | { status: 'failed' } | { status: 'ready'; versions: CommissionVersion[] };

/** Every version of one commission the ledger applied: what support reads in a dispute. A native modal dialog keeps focus inside and closes on Escape. */
export function CommissionHistoryDialog({ client, aui, transaction, onClose }: { client: QueryClient; aui: string; transaction: Transaction; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [history, setHistory] = useState<HistoryState>({ status: 'loading' });

  useEffect(() => {
    dialog.current?.showModal();
    let current = true;
    client
      .request<{ commissionHistory: CommissionVersion[] }>(commissionHistoryQuery, { aui, source: transaction.source, commissionId: transaction.commissionId })
      .then((data) => current && setHistory({ status: 'ready', versions: data.commissionHistory }))
      .catch(() => current && setHistory({ status: 'failed' }));
    return () => {
      current = false;
    };
  }, [client, aui, transaction]);

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="history-title" onClose={onClose} data-testid="commission-history">
      <div className="dialog-head">
        <h2 id="history-title">History of this transaction</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => dialog.current?.close()}>×</button>
      </div>
      <p className="muted">
        {transaction.merchant ? `${merchantName(transaction.merchant)} · ` : ''}{transaction.merchantOrderId ? `Order ${transaction.merchantOrderId} · ` : ''}reference {transaction.source} {transaction.commissionId}
      </p>
      <p>{transaction.statusExplanation}</p>
      {history.status === 'loading' && <p className="muted" aria-live="polite">Loading history…</p>}
      {history.status === 'failed' && <p role="alert" className="inline-error">We could not load this history. Close and try again.</p>}
      {history.status === 'ready' && (
        <table className="history">
          <caption className="visually-hidden">Every change to this transaction, oldest first</caption>
          <thead>
            <tr><th scope="col">Changed</th><th scope="col">Status</th><th scope="col">Amount</th></tr>
          </thead>
          <tbody>
            {history.versions.map((version) => (
              <tr key={version.modifiedDate}>
                <td>{formatDateTime(version.modifiedDate)}</td>
                <td><CommissionBadge state={version.state} /> <span className="muted">{version.sourceStatus}</span></td>
                <td>
                  <Amount value={version.amount} unit={version.unit} />
                  {/* Support settles disputes on the exact figure, not the rounded one. */}
                  <span className="muted exact">{version.amount} {version.unit}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </dialog>
  );
}
