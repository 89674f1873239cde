import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** The kustomization fields deploy/ uses; any other field fails the render, so the test never silently differs from kustomize. */
const understoodFields = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images']);
/** Kinds without a namespace; kustomize's `namespace` leaves them alone. */
const clusterScopedKinds = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

interface Kustomization {
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

/**
 * Renders a kustomization the way `kubectl kustomize` does for the subset deploy/ uses
 * (resources as files or directories, namespace, images), offline and without the kustomize
 * binary, so the tests can validate exactly what `kubectl apply -k` would send.
 */
export function renderKustomization(directory: string): Manifest[] {
  const kustomization = readKustomization(directory);
  const manifests = (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(directory, resource);
    return statSync(path).isDirectory() ? renderKustomization(path) : readManifests(path);
  });
  for (const manifest of manifests) {
    if (kustomization.namespace && !clusterScopedKinds.has(manifest.kind)) manifest.metadata.namespace = kustomization.namespace;
    for (const container of containersOf(manifest)) container.image = renamedImage(container.image, kustomization.images ?? []);
  }
  return manifests;
}

function readKustomization(directory: string): Kustomization {
  const path = join(directory, 'kustomization.yaml');
  if (!existsSync(path)) throw new Error(`${directory} has no kustomization.yaml`);
  const [document] = parseAllDocuments(readFileSync(path, 'utf8'));
  const kustomization = document.toJS() as Record<string, unknown>;
  const unknown = Object.keys(kustomization).filter((field) => !understoodFields.has(field));
  if (unknown.length > 0) throw new Error(`${path}: fields ${unknown.join(', ')} are not rendered by the test's renderer; teach it or use kustomize's`);
  return kustomization as Kustomization;
}

export function readManifests(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

type Container = { name: string; image: string; [field: string]: unknown };
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
}
interface WorkloadSpec {
  template?: { spec?: PodSpec };
  jobTemplate?: { spec?: { template?: { spec?: PodSpec } } };
}

/** The pod spec of a pod-owning workload (Deployment, Job, CronJob); undefined for other kinds. */
export function podSpecOf(manifest: Manifest): PodSpec | undefined {
  const spec = manifest.spec as WorkloadSpec | undefined;
  return manifest.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
}

/** Containers of a pod-owning workload, where an image is named. */
export function containersOf(manifest: Manifest): Container[] {
  const podSpec = podSpecOf(manifest);
  return [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
}

function renamedImage(image: string, images: NonNullable<Kustomization['images']>): string {
  const [name, tag] = image.split(':');
  const rule = images.find((candidate) => candidate.name === name);
  if (!rule) return image;
  return `${rule.newName ?? name}${rule.newTag ?? tag ? `:${rule.newTag ?? tag}` : ''}`;
}
