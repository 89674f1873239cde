import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@earnings/testing';
import { containersOf, Manifest, podSpecOf, readManifests, renderKustomization } from '../render-manifests';

const deployDirectory = join(workspaceRoot(), 'deploy');
const base = join(deployDirectory, 'kubernetes');
const production = join(deployDirectory, 'overlays/production');

/** Runs the schema validator (an ES module: kubernetes-models is ESM-only) on the manifests; returns its problems. */
function schemaProblems(manifests: Manifest[]): string[] {
  const output = execFileSync(process.execPath, [join(workspaceRoot(), 'tools/deploy/validate-manifests.mjs')], { input: JSON.stringify(manifests), cwd: workspaceRoot() });
  return JSON.parse(output.toString('utf8')) as string[];
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
// Rendered YAML, already validated against the schemas above: read loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const spec = (manifest: Manifest) => manifest.spec as Record<string, any>;

describe('the Kubernetes manifests', () => {
  it.each([['the base', base], ['the production overlay', production]])('%s renders to manifests valid against the Kubernetes (and KEDA) schemas', (_name, directory) => {
    const manifests = renderKustomization(directory);
    expect(manifests.length).toBeGreaterThan(10);
    expect(schemaProblems(manifests)).toEqual([]);
  });

  it('the validator does reject a manifest that breaks the schema', () => {
    const [deployment] = byKind(renderKustomization(base), 'Deployment');
    const broken = { ...deployment, spec: { ...spec(deployment), replicas: 'two' } };
    expect(schemaProblems([broken as Manifest])).toEqual([expect.stringMatching(/replicas must be integer/)]);
  });

  it('lists every manifest file of the base in its kustomization (a file nobody applies is a mistake)', () => {
    const files = readdirSync(base).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    const listed = new Set(readManifests(join(base, 'kustomization.yaml'))[0].resources as string[]);
    expect(files.filter((file) => !listed.has(file))).toEqual([]);
  });

  it('gives every container resource requests and limits, and runs it as a numeric non-root user', () => {
    for (const manifest of renderKustomization(production).filter((candidate) => containersOf(candidate).length > 0)) {
      expect({ where: manifest.metadata.name, securityContext: podSpecOf(manifest)?.securityContext }).toEqual({ where: manifest.metadata.name, securityContext: { runAsNonRoot: true, runAsUser: 1000 } });
      for (const container of containersOf(manifest)) {
        const resources = container.resources as { requests?: Record<string, string>; limits?: Record<string, string> } | undefined;
        expect({ where: `${manifest.kind}/${manifest.metadata.name}`, cpu: resources?.requests?.cpu !== undefined && resources?.limits?.cpu !== undefined, memory: resources?.requests?.memory !== undefined && resources?.limits?.memory !== undefined })
          .toEqual({ where: `${manifest.kind}/${manifest.metadata.name}`, cpu: true, memory: true });
      }
    }
  });

  it('points every budget and autoscaler at a Deployment that exists, and caps lag autoscaling at the partition count', () => {
    const manifests = renderKustomization(production);
    const deployments = new Map(byKind(manifests, 'Deployment').map((deployment) => [deployment.metadata.name, deployment]));
    const config = byKind(manifests, 'ConfigMap').find((candidate) => candidate.metadata.name === 'earnings-ledger')?.data as Record<string, string>;
    for (const budget of byKind(manifests, 'PodDisruptionBudget')) {
      expect(deployments.get(budget.metadata.name)?.spec).toMatchObject({ selector: spec(budget).selector });
    }
    expect(byKind(manifests, 'HorizontalPodAutoscaler').map((autoscaler) => spec(autoscaler).scaleTargetRef.name).sort()).toEqual(['ingest', 'query']);
    const scaledObjects = byKind(manifests, 'ScaledObject');
    expect(scaledObjects.map((scaled) => spec(scaled).scaleTargetRef.name).sort()).toEqual(['ledger-projector', 'payout']);
    for (const scaled of scaledObjects) {
      expect(deployments.has(spec(scaled).scaleTargetRef.name)).toBe(true);
      expect(spec(scaled).maxReplicaCount).toBeLessThanOrEqual(Number(config.KAFKA_TOPIC_PARTITIONS));
      for (const trigger of spec(scaled).triggers) {
        expect(trigger.metadata).toMatchObject({ bootstrapServers: config.KAFKA_BROKERS, allowIdleConsumers: 'false' });
      }
    }
  });

  it('the production overlay names a registry image, with a tag, for every container', () => {
    for (const manifest of renderKustomization(production)) {
      for (const container of containersOf(manifest)) expect(container.image).toMatch(/^registry\.example\.com\/earnings-ledger-[a-z-]+:[0-9.]+$/);
    }
  });
});
