import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { workspaceRoot } from '@earnings/testing';
import { dashboardEntryPoint } from '../local-stack/processes';

// As docker-compose.spec.ts does for the services: the dashboard's image target, compose service
// and Kubernetes Deployment agree with the code (entry point, port, the query service it forwards to).
const root = workspaceRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { build?: { target: string }; environment?: Record<string, string>; ports?: string[] }> };
const kubernetes = readFileSync(join(root, 'deploy', 'kubernetes', 'dashboard.yaml'), 'utf8').split(/^---$/m).map((document) => parse(document)).filter(Boolean);

describe('the dashboard container', () => {
  it('has an image target that exposes its port and starts the entry point the build writes', () => {
    expect(dockerfile).toContain(`FROM runtime AS dashboard\nEXPOSE 3005\nCMD ["node", "--enable-source-maps", "${dashboardEntryPoint}"]`);
  });

  it('runs in compose from that target, forwarding /graphql to the query service', () => {
    const service = compose.services.dashboard;
    expect([service.build?.target, service.environment?.DASHBOARD_PORT, service.ports, service.environment?.DASHBOARD_QUERY_URL]).toEqual(['dashboard', '3005', ['3005:3005'], 'http://query:3004']);
    expect(service.environment).not.toHaveProperty('DASHBOARD_DEV_SIGN_IN');
  });

  it('runs in Kubernetes with the same port and no development sign-in', () => {
    const deployment = kubernetes.find((manifest) => manifest.kind === 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((entry: { name: string; value: string }) => [entry.name, entry.value]));
    expect([container.ports[0].containerPort, env.DASHBOARD_PORT, env.DASHBOARD_QUERY_URL, env.DASHBOARD_DEV_SIGN_IN]).toEqual([3005, '3005', 'http://query:3004', undefined]);
  });
});
