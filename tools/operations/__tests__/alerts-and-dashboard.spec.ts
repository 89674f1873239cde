import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { kafkaProduceDuration } from '@earnings/kafka';
import { httpServerRequestDuration } from '@earnings/service-shell';
import { workspaceRoot } from '@earnings/testing';
import { registerOperationsGauges } from '../operations-gauges';

interface AlertRule { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string; runbook_url: string } }

const root = workspaceRoot();
const rules = (parse(readFileSync(join(root, 'deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((group) => group.rules);
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/earnings-ledger-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Counters the services register where they do their work (each name is checked below to be registered in the source). */
const serviceMetrics = ['wildfire_sync_runs_total', 'firstpromoter_reconciliation_runs_total', 'ledger_events_dead_lettered_total', 'ledger_events_applied_total', 'ledger_events_duplicate_total'];
/** Pushed by the reconcile Job (apps/ingest/src/commands/reconcile.ts). */
const reconcileMetrics = ['earnings_reconcile_differences', 'earnings_reconcile_compared', 'earnings_reconcile_last_run_timestamp_seconds'];
/** Not ours: Prometheus' own `up` per target, and kube-state-metrics' Job status. */
const externalMetrics = ['up', 'kube_job_status_failed'];
const promqlWords = new Set(['sum', 'max', 'min', 'by', 'or', 'and', 'rate', 'increase', 'delta', 'without', 'on', 'ignoring', 'absent', 'time', 'histogram_quantile']);

/** Every metric some process of ours registers, read from real registries where the code allows it. */
function knownMetrics(): Set<string> {
  const registry = new Registry();
  registerOperationsGauges(registry, { cluster: null as never, database: null as never, projectorGroup: 'ledger-projector', payoutGroup: 'payout-balances', payoutRewardGroup: 'payout-balances-rewards', onReadFailure: () => undefined });
  collectDefaultMetrics({ register: registry });
  const histograms = [httpServerRequestDuration.name, kafkaProduceDuration.name];
  return new Set([
    ...registry.getMetricsAsArray().map((metric) => metric.name),
    ...histograms.flatMap((name) => [`${name}_bucket`, `${name}_count`, `${name}_sum`]),
    ...serviceMetrics, ...reconcileMetrics, ...externalMetrics,
  ]);
}

/** Metric names in a PromQL expression: identifiers outside label matchers, by(...) clauses and ranges, not functions, keywords or template text. */
function metricNamesOf(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '').replace(/\b(by|without)\s*\([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '');
  return (withoutLabels.match(/[a-z_][a-z0-9_]*/g) ?? []).filter((word) => !promqlWords.has(word));
}

/** GitHub's anchor of a README heading: lower case, punctuation but hyphens dropped, spaces as hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');

/** promtool (npm test provides it: PROMTOOL, see tools/local-stack/promtool.ts). */
function promtool(args: string[]): string {
  const command = process.env.PROMTOOL ?? 'promtool';
  try {
    return execFileSync(command, args, { cwd: join(root, 'deploy/prometheus'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { code, stdout, stderr } = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error(`promtool not found (${command}): run the tests with \`npm test\`, which fetches it, or install Debian's prometheus package`);
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('alert rules and the dashboard', () => {
  it("are valid Prometheus rules, and fire when they should: promtool's check and the unit tests of alerts.test.yaml", () => {
    expect(promtool(['check', 'rules', 'alerts.yaml'])).toMatch(/SUCCESS: \d+ rules found/);
    expect(promtool(['test', 'rules', 'alerts.test.yaml'])).toContain('SUCCESS');
  });

  it('every alert and every dashboard panel uses only metrics that exist', () => {
    const known = knownMetrics();
    const used = [...rules.map((rule) => rule.expr), ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr))];
    expect(used.flatMap(metricNamesOf).filter((name) => !known.has(name))).toEqual([]);
  });

  it('the metrics named as registered by a service are registered in its source', () => {
    const registered = (name: string) => execFileSync('git', ['grep', '-l', `'${name}'`, '--', 'apps', 'libs', 'tools'], { cwd: root, encoding: 'utf8' }).split('\n').filter((file) => file !== '' && !file.includes('__tests__'));
    for (const name of [...serviceMetrics, ...reconcileMetrics]) expect({ name, registeredIn: registered(name).length > 0 }).toEqual({ name, registeredIn: true });
  });

  it('watches what an on-call must know: every service down or gone, 5xx, latency, reconcile not run, a failed Job', () => {
    const exprOf = (alert: string) => rules.find((rule) => rule.alert === alert)?.expr ?? '';
    for (const job of ['earnings-ingest', 'earnings-query', 'earnings-ledger-projector', 'earnings-payout']) expect(exprOf('EarningsServiceDown')).toContain(`absent(up{job="${job}"})`);
    expect(rules.find((rule) => rule.alert === 'EarningsServiceDown')).toMatchObject({ labels: { severity: 'page' }, for: '2m' });
    expect(exprOf('EarningsHttpErrorsHigh')).toMatch(/http_server_request_duration_seconds_count\{[^}]*http_response_status_code=~"5\.\."/);
    expect(exprOf('EarningsHttpLatencyHigh')).toContain('histogram_quantile(0.99');
    expect(exprOf('EarningsReconcileNotRun')).toContain('earnings_reconcile_last_run_timestamp_seconds');
    expect(exprOf('EarningsJobFailed')).toContain('kube_job_status_failed');
  });

  it('every alert has a severity, a summary and a runbook_url to its runbook under its name in the README', () => {
    const anchors = new Set([...readme.matchAll(/^#{2,4} (.+)$/gm)].map((match) => anchorOf(match[1])));
    expect(rules.length).toBeGreaterThan(15);
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: ['page', 'ticket'].includes(rule.labels.severity), summary: rule.annotations.summary.length > 0 }).toEqual({ alert: rule.alert, severity: true, summary: true });
      expect({ alert: rule.alert, runbook: rule.annotations.runbook_url }).toEqual({ alert: rule.alert, runbook: `README.md#${rule.alert.toLowerCase()}` });
      expect({ alert: rule.alert, headingInReadme: anchors.has(rule.alert.toLowerCase()) }).toEqual({ alert: rule.alert, headingInReadme: true });
    }
  });
});
