import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { workspaceRoot } from '@earnings/testing';
import { containersOf, Manifest, podSpecOf, renderKustomization } from '../kustomize';
import { unknownFieldProblems } from '../unknown-fields';
import { alertsPath, prometheusRulePath, prometheusRuleText } from '../write-prometheus-rule';

const root = workspaceRoot();
const base = join(root, 'deploy/kubernetes');
const production = join(root, 'deploy/overlays/production');
const rendered = { base: renderKustomization(base), production: renderKustomization(production) };

/** Runs the JSON Schema validator (an ES module: kubernetes-models is ESM-only) on the manifests; returns its problems. */
function schemaProblems(manifests: Manifest[]): string[] {
  const output = execFileSync(process.execPath, [join(root, 'tools/deploy/validate-manifests.mjs')], { input: JSON.stringify(manifests), cwd: root });
  return JSON.parse(output.toString('utf8')) as string[];
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) => manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name)!;
const workloads = (manifests: Manifest[]) => manifests.filter((manifest) => podSpecOf(manifest) !== undefined);
// Rendered YAML, already validated against the schemas: read loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const spec = (manifest: Manifest) => manifest.spec as Record<string, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
const configOf = (manifests: Manifest[]) => byKind(manifests, 'ConfigMap').find((candidate) => candidate.metadata.name.startsWith('earnings-ledger-'))!.data as Record<string, string>;

/** The Secret each workload reads: its own, and the reconcile Job (ingest's command) ingest's. */
const secretOfWorkload: Record<string, string> = {
  ingest: 'earnings-ingest', 'earnings-reconcile': 'earnings-ingest', 'ledger-projector': 'earnings-ledger-projector', payout: 'earnings-payout',
  query: 'earnings-query', 'earnings-ledger-setup': 'earnings-setup', 'operations-exporter': 'earnings-operations-exporter',
};
const secretOf = (workload: Manifest) => secretOfWorkload[workload.metadata.name.replace(/^earnings-ledger-setup-.*$/, 'earnings-ledger-setup')];

function secretKeysReadBy(workload: Manifest): { secret: string; key: string }[] {
  return containersOf(workload).flatMap((container) => ((container.env ?? []) as Loose[]).flatMap((entry) => (entry.valueFrom?.secretKeyRef ? [{ secret: entry.valueFrom.secretKeyRef.name, key: entry.valueFrom.secretKeyRef.key }] : [])));
}

describe('the Kubernetes manifests, as kustomize renders them', () => {
  it.each(Object.entries(rendered))('%s: every object is valid against its schema, with no field the schema does not know', (_name, manifests) => {
    expect(manifests.length).toBeGreaterThan(20);
    expect(schemaProblems(manifests)).toEqual([]);
    expect(unknownFieldProblems(manifests, root)).toEqual([]);
  });

  it('the validation refuses a wrong type, and a field no schema knows, naming the object', () => {
    const ingest = structuredClone(named(rendered.base, 'Deployment', 'ingest'));
    spec(ingest).minReadySeconds = 'ten';
    expect(schemaProblems([ingest])).toEqual([expect.stringMatching(/^Deployment\/ingest: .*minReadySeconds must be integer/)]);
    const misspelt = structuredClone(named(rendered.base, 'Deployment', 'ingest'));
    const container = podSpecOf(misspelt)!.containers![0] as Loose;
    container.securityContext = { ...container.securityContext, readOnlyRootFilesystm: true };
    const monitor = structuredClone(named(rendered.production, 'ServiceMonitor', 'earnings-ledger'));
    spec(monitor).endpoints[0].scrapeEvery = '30s';
    expect(unknownFieldProblems([misspelt, monitor], root)).toEqual([
      'Deployment/ingest: unknown field "readOnlyRootFilesystm" (SecurityContext has no such field)',
      'ServiceMonitor/earnings-ledger: unknown field "scrapeEvery" (Endpoint has no such field)',
    ]);
  });

  it('lists every manifest file of the base in its kustomization (a file nobody applies is a mistake)', () => {
    const files = readdirSync(base).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    const listed = new Set((parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources);
    expect(files.filter((file) => !listed.has(file))).toEqual([]);
  });

  it('runs every pod and container under Pod Security `restricted`, with requests and limits, and the namespace enforces it', () => {
    expect(named(rendered.production, 'Namespace', 'earnings-ledger').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    for (const workload of workloads(rendered.production)) {
      const where = `${workload.kind}/${workload.metadata.name}`;
      const pod = podSpecOf(workload)!;
      expect({ where, pod: pod.securityContext }).toEqual({ where, pod: expect.objectContaining({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } }) });
      expect({ where, hostAccess: [pod.hostNetwork, pod.hostPID, pod.hostIPC], hostPaths: (pod.volumes ?? []).filter((volume) => 'hostPath' in volume) }).toEqual({ where, hostAccess: [undefined, undefined, undefined], hostPaths: [] });
      for (const container of containersOf(workload)) {
        const resources = container.resources as Loose;
        expect({ where, container: container.securityContext, cpu: [resources.requests?.cpu, resources.limits?.cpu].every(Boolean), memory: [resources.requests?.memory, resources.limits?.memory].every(Boolean) })
          .toEqual({ where, container: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } }, cpu: true, memory: true });
      }
    }
  });

  it('ships no Secret and no placeholder: each workload reads only its own Secret, key by key, as deploy/secrets.example documents', () => {
    const text = JSON.stringify(rendered.production);
    expect([byKind(rendered.production, 'Secret'), /change-me/i.test(text)]).toEqual([[], false]);
    const readKeys = new Map<string, Set<string>>();
    for (const workload of workloads(rendered.production)) {
      const where = `${workload.kind}/${workload.metadata.name}`;
      const references = secretKeysReadBy(workload);
      const volumeSecrets = (podSpecOf(workload)!.volumes ?? []).flatMap((volume) => ((volume as Loose).secret ? [(volume as Loose).secret.secretName as string] : []));
      const envFromSecrets = containersOf(workload).flatMap((container) => ((container.envFrom ?? []) as Loose[]).filter((source) => source.secretRef));
      expect({ where, secrets: [...new Set([...references.map((reference) => reference.secret), ...volumeSecrets])], envFromSecrets }).toEqual({ where, secrets: secretOf(workload) ? [secretOf(workload)] : [], envFromSecrets: [] });
      for (const { secret, key } of references) readKeys.set(secret, new Set([...(readKeys.get(secret) ?? []), key]));
    }
    const documented = new Map(readdirSync(join(root, 'deploy/secrets.example')).filter((file) => file.endsWith('.env')).map((file) => [
      file.replace(/\.env$/, ''),
      readFileSync(join(root, 'deploy/secrets.example', file), 'utf8').split('\n').filter((line) => /^[A-Z]/.test(line)).map((line) => line.split('=')[0]).sort(),
    ]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries([...readKeys].map(([secret, keys]) => [secret, [...keys].sort()])));
  });

  it('rolls the pods when the configuration changes: the ConfigMap is generated under a hash of its content, which every workload names', () => {
    const configName = (manifests: Manifest[]) => byKind(manifests, 'ConfigMap').map((configMap) => configMap.metadata.name);
    expect(configName(rendered.base)).toEqual([expect.stringMatching(/^earnings-ledger-[a-z0-9]{10}$/)]);
    for (const workload of workloads(rendered.base)) {
      const references = containersOf(workload).flatMap((container) => ((container.envFrom ?? []) as Loose[]).map((source) => source.configMapRef?.name));
      if (workload.metadata.name !== 'dashboard') expect({ workload: workload.metadata.name, references }).toEqual({ workload: workload.metadata.name, references: configName(rendered.base) });
    }
    const copy = mkdtempSync(join(tmpdir(), 'kustomize-base-'));
    try {
      cpSync(base, copy, { recursive: true });
      writeFileSync(join(copy, 'config.env'), readFileSync(join(base, 'config.env'), 'utf8').replace('LOG_LEVEL=info', 'LOG_LEVEL=debug'));
      const changed = renderKustomization(copy);
      expect(configName(changed)).not.toEqual(configName(rendered.base));
      const templateOf = (manifests: Manifest[]) => JSON.stringify(spec(named(manifests, 'Deployment', 'ingest')).template);
      expect(templateOf(changed)).not.toEqual(templateOf(rendered.base));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('leaves the replica count to the autoscaler wherever one owns it', () => {
    for (const manifests of Object.values(rendered)) {
      const owned = [
        ...byKind(manifests, 'HorizontalPodAutoscaler').map((autoscaler) => spec(autoscaler).scaleTargetRef.name),
        ...byKind(manifests, 'ScaledObject').map((scaled) => spec(scaled).scaleTargetRef.name),
      ];
      expect(owned.length).toBeGreaterThan(0);
      for (const name of owned) expect({ name, replicas: spec(named(manifests, 'Deployment', name)).replicas }).toEqual({ name, replicas: undefined });
    }
    expect(byKind(rendered.production, 'ScaledObject').map((scaled) => spec(scaled).scaleTargetRef.name).sort()).toEqual(['ledger-projector', 'payout']);
  });

  it("names the setup Job per release (the setup image's tag) and lets it expire, and the services wait for its schema", () => {
    const [job] = byKind(rendered.production, 'Job');
    const image = containersOf(job)[0].image;
    expect(job.metadata.name).toBe(`earnings-ledger-setup-${image.split(':')[1]}`);
    expect(spec(job).ttlSecondsAfterFinished).toBeGreaterThan(0);
    for (const name of ['ingest', 'ledger-projector', 'payout', 'query']) {
      expect(spec(named(rendered.production, 'Deployment', name)).strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    }
  });

  it('pauses ingest, query and the dashboard before SIGTERM while their endpoints drain, within the grace period', () => {
    const shutdownTimeoutSeconds = 25;
    for (const name of ['ingest', 'query', 'dashboard']) {
      const pod = podSpecOf(named(rendered.production, 'Deployment', name))!;
      const pauseSeconds = (pod.containers![0].lifecycle as Loose)?.preStop?.sleep?.seconds as number;
      expect({ name, pauseSeconds }).toEqual({ name, pauseSeconds: expect.any(Number) });
      expect(pauseSeconds).toBeGreaterThanOrEqual(5);
      expect(pod.terminationGracePeriodSeconds as number).toBeGreaterThan(pauseSeconds + (name === 'dashboard' ? 10 : shutdownTimeoutSeconds));
    }
  });

  it('denies every connection by default and opens only the public ports and the metrics port to Prometheus', () => {
    const policies = byKind(rendered.production, 'NetworkPolicy');
    expect(policies.map((policy) => policy.metadata.name).sort()).toEqual(['default-deny-ingress', 'prometheus-scrapes', 'public-http']);
    expect(spec(named(rendered.production, 'NetworkPolicy', 'default-deny-ingress'))).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(spec(named(rendered.production, 'NetworkPolicy', 'public-http')).podSelector.matchExpressions[0].values).toEqual(['ingest', 'query', 'dashboard']);
    // The policies open the port named http: every container that listens names its port so.
    for (const workload of byKind(rendered.production, 'Deployment')) expect((containersOf(workload)[0].ports as Loose[]).map((port) => port.name)).toEqual(['http']);
  });

  it('scales on lag with the Kafka settings and the very Secret of the service it scales', () => {
    const config = configOf(rendered.production);
    expect(config).toMatchObject({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512' });
    for (const scaled of byKind(rendered.production, 'ScaledObject')) {
      const target = named(rendered.production, 'Deployment', spec(scaled).scaleTargetRef.name);
      expect(spec(scaled).maxReplicaCount).toBeLessThanOrEqual(Number(config.KAFKA_TOPIC_PARTITIONS));
      for (const trigger of spec(scaled).triggers) {
        expect(trigger.metadata).toMatchObject({ bootstrapServers: config.KAFKA_BROKERS, allowIdleConsumers: 'false', sasl: config.KAFKA_SASL_MECHANISM.toLowerCase().replace(/-/g, '_').replace('scram_sha_', 'scram_sha'), tls: 'enable' });
        const authentication = named(rendered.production, 'TriggerAuthentication', trigger.authenticationRef.name);
        const targetKeys = secretKeysReadBy(target);
        for (const reference of spec(authentication).secretTargetRef) {
          expect(targetKeys).toContainEqual({ secret: reference.name, key: reference.key });
        }
      }
    }
  });

  it('points every budget and CPU autoscaler at a Deployment that exists', () => {
    const deployments = new Map(byKind(rendered.production, 'Deployment').map((deployment) => [deployment.metadata.name, deployment]));
    for (const budget of byKind(rendered.production, 'PodDisruptionBudget')) expect(deployments.get(budget.metadata.name)?.spec).toMatchObject({ selector: spec(budget).selector });
    expect(byKind(rendered.production, 'HorizontalPodAutoscaler').map((autoscaler) => spec(autoscaler).scaleTargetRef.name).sort()).toEqual(['ingest', 'query']);
  });

  it('has Prometheus scrape every service under the job names the alerts use, and carries the alert rules of deploy/prometheus', () => {
    const monitor = named(rendered.production, 'ServiceMonitor', 'earnings-ledger');
    const services = byKind(rendered.production, 'Service');
    expect(services.map((service) => service.metadata.name).sort()).toEqual(['dashboard', 'ingest', 'ledger-projector', 'operations-exporter', 'payout', 'query']);
    for (const service of services) {
      expect(service.metadata.labels).toMatchObject({ ...spec(monitor).selector.matchLabels, [spec(monitor).jobLabel]: `earnings-${service.metadata.name}` });
      expect((spec(service).ports as Loose[]).map((port) => port.name)).toContain(spec(monitor).endpoints[0].port);
    }
    expect(readFileSync(join(root, prometheusRulePath), 'utf8')).toBe(prometheusRuleText(readFileSync(join(root, alertsPath), 'utf8')));
  });

  it('production: every image from the registry at a release tag, every object in the namespace', () => {
    for (const manifest of rendered.production) {
      for (const container of containersOf(manifest)) expect(container.image).toMatch(/^registry\.example\.com\/earnings-ledger-[a-z-]+:[0-9.]+$/);
      if (manifest.kind !== 'Namespace') expect({ object: `${manifest.kind}/${manifest.metadata.name}`, namespace: manifest.metadata.namespace }).toEqual({ object: `${manifest.kind}/${manifest.metadata.name}`, namespace: 'earnings-ledger' });
    }
  });
});
