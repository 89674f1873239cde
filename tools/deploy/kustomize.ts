import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * The manifests `kubectl apply -k <directory>` sends, rendered by kustomize itself (`kubectl
 * kustomize`, offline): generators, patches, name suffixes and image digests included.
 */
export function renderKustomization(directory: string): Manifest[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') throw new Error('kubectl is not installed: the manifests are rendered with `kubectl kustomize` (README, "Working on it")');
    throw new Error(`kubectl kustomize ${directory} failed: ${stderr ?? (error as Error).message}`);
  }
  return parseAllDocuments(output)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

type Container = { name: string; image: string; [field: string]: unknown };
export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: Record<string, unknown>[];
  [field: string]: unknown;
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

/** Containers of a pod-owning workload, init containers included. */
export function containersOf(manifest: Manifest): Container[] {
  const podSpec = podSpecOf(manifest);
  return [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
}
