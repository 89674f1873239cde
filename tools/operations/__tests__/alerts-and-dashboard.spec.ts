import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { workspaceRoot } from '@earnings/testing';
import { registerOperationsGauges } from '../operations-gauges';

interface AlertRule { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }

const root = workspaceRoot();
const rules = (parse(readFileSync(join(root, 'deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((group) => group.rules);
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/earnings-ledger-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };

/** Metrics the services register themselves (a name here that no service has makes the test below fail by design when it is removed). */
const serviceMetrics = ['wildfire_sync_runs_total', 'firstpromoter_reconciliation_runs_total', 'ledger_events_dead_lettered_total', 'ledger_events_applied_total', 'ledger_events_duplicate_total'];
/** Pushed by the reconcile Job (apps/ingest/src/commands/reconcile.ts). */
const reconcileMetrics = ['earnings_reconcile_differences', 'earnings_reconcile_compared', 'earnings_reconcile_last_run_timestamp_seconds'];
const promqlWords = new Set(['sum', 'max', 'min', 'by', 'or', 'and', 'rate', 'increase', 'delta', 'without', 'on', 'ignoring']);

function knownMetrics(): Set<string> {
  const registry = new Registry();
  registerOperationsGauges(registry, { admin: null as never, database: null as never, projectorGroup: 'ledger-projector', payoutGroup: 'payout-balances', payoutRewardGroup: 'payout-balances-rewards', onReadFailure: () => undefined });
  return new Set([...registry.getMetricsAsArray().map((metric) => metric.name), ...serviceMetrics, ...reconcileMetrics]);
}

/** Metric names in a PromQL expression: identifiers outside label matchers and by(...) clauses, not functions or keywords. */
function metricNamesOf(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '').replace(/\b(by|without)\s*\([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '');
  return (withoutLabels.match(/[a-z_][a-z0-9_]*/g) ?? []).filter((word) => !promqlWords.has(word));
}

describe('alert rules and the dashboard', () => {
  it('every alert and every dashboard panel uses only metrics that exist', () => {
    const known = knownMetrics();
    const used = [...rules.map((rule) => rule.expr), ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr))];
    expect(used.flatMap(metricNamesOf).filter((name) => !known.has(name))).toEqual([]);
  });

  it('every alert has a severity, a summary and a one-line runbook in the README under its name', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: ['page', 'ticket'].includes(rule.labels.severity), summary: rule.annotations.summary.length > 0 }).toEqual({ alert: rule.alert, severity: true, summary: true });
      expect({ alert: rule.alert, runbook: new RegExp(`^\\| \`${rule.alert}\` \\|.+\\|.+\\|$`, 'm').test(readme) }).toEqual({ alert: rule.alert, runbook: true });
    }
  });
});
