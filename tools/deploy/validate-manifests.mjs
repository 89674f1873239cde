/* global process, Buffer */
// Validates Kubernetes manifests (a JSON array on stdin) against the Kubernetes OpenAPI schemas
// that kubernetes-models ships (and the CRD schemas of KEDA and the Prometheus Operator), offline:
// types, enums, formats and required fields. Unknown fields are found by unknown-fields.ts.
// Prints a JSON array of problems, empty when every manifest is valid. A separate ES module
// because those packages are ES modules only; the Jest test runs it with node.
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as core from 'kubernetes-models/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

const modelsByApiVersion = {
  'apps/v1': apps, 'autoscaling/v2': autoscaling, 'batch/v1': batch, v1: core, 'networking.k8s.io/v1': networking, 'policy/v1': policy,
  'keda.sh/v1alpha1': keda, 'monitoring.coreos.com/v1': monitoring,
};

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const manifests = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const problems = [];
for (const manifest of manifests) {
  const where = `${manifest.kind}/${manifest.metadata?.name}`;
  const Model = modelsByApiVersion[manifest.apiVersion]?.[manifest.kind];
  if (!Model) {
    problems.push(`${where}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
    continue;
  }
  try {
    new Model(manifest).validate();
  } catch (error) {
    problems.push(`${where}: ${error.message}`);
  }
}
process.stdout.write(JSON.stringify(problems));
