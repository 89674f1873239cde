import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export const alertsPath = 'deploy/prometheus/alerts.yaml';
export const prometheusRulePath = 'deploy/overlays/production/prometheus-rule.yaml';

/**
 * The Prometheus Operator's PrometheusRule holding exactly the groups of deploy/prometheus/alerts.yaml:
 * one source for the rules, whichever way a Prometheus loads them.
 */
export function prometheusRuleText(alertsText: string): string {
  const { groups } = parse(alertsText) as { groups: unknown[] };
  const rule = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'earnings-ledger' }, spec: { groups } };
  return `# Generated from ${alertsPath} by \`node dist/tools/deploy/write-prometheus-rule.js\`: edit that file, then run this.\n${stringify(rule, { lineWidth: 0 })}`;
}

if (require.main === module) {
  const root = resolve(__dirname, '../../..');
  writeFileSync(join(root, prometheusRulePath), prometheusRuleText(readFileSync(join(root, alertsPath), 'utf8')));
  process.stdout.write(`wrote ${prometheusRulePath}\n`);
}
