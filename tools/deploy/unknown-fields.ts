import { join } from 'node:path';
import ts from 'typescript';
import type { Manifest } from './kustomize';

/**
 * Where the declarations of each API group live: kubernetes-models for Kubernetes' own APIs, its
 * companion packages for the CRDs used here. Their interfaces are generated from the same OpenAPI
 * schemas the JSON Schema validation uses, field for field.
 */
const declarationModules: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'policy/v1': 'kubernetes-models/policy/v1',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

/**
 * Fields no schema knows, anywhere in the manifests: the API server would drop them silently (or,
 * with strict field validation, refuse the apply), and a misspelt `readOnlyRootFilesystm` would leave
 * a pod writable while its manifest looks hardened. The JSON Schemas of kubernetes-models check
 * types, enums and required fields but allow any extra field, so each manifest is type-checked by
 * the TypeScript compiler as an object literal of its kind's interface: an object literal may only
 * name known properties, at every depth. Returns one problem per unknown field, naming the manifest.
 */
export function unknownFieldProblems(manifests: Manifest[], workspaceRoot: string): string[] {
  const problems: string[] = [];
  const statements: string[] = [];
  const owners: { firstLine: number; where: string }[] = [];
  let lineCount = 0;
  manifests.forEach((manifest, index) => {
    const where = `${manifest.kind}/${manifest.metadata?.name}`;
    const module = declarationModules[manifest.apiVersion];
    if (!module || !/^[A-Z][A-Za-z]+$/.test(manifest.kind)) {
      problems.push(`${where}: no declarations for ${manifest.apiVersion} ${manifest.kind}`);
      return;
    }
    const statement = `export const manifest${index}: import(${JSON.stringify(module)}).I${manifest.kind} = ${JSON.stringify(manifest, null, 1)};`;
    owners.push({ firstLine: lineCount, where });
    statements.push(statement);
    lineCount += statement.split('\n').length;
  });
  const source = statements.join('\n');
  const fileName = join(workspaceRoot, 'tools/deploy/rendered-manifests.generated.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  // The source exists only in memory; everything else (the declarations) is read from node_modules.
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => name === fileName || ts.sys.fileExists(name);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.getSourceFile = (name, languageVersion, onError) => (name === fileName ? ts.createSourceFile(name, source, languageVersion, true) : getSourceFile(name, languageVersion, onError));
  const program = ts.createProgram([fileName], options, host);
  const sourceFile = program.getSourceFile(fileName)!;
  for (const diagnostic of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
    const line = diagnostic.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line;
    const owner = [...owners].reverse().find((candidate) => candidate.firstLine <= line);
    problems.push(`${owner?.where ?? 'the manifests'}: ${readable(ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '))}`);
  }
  return problems;
}

/** The compiler's words for an unknown field, in a manifest's terms; any other diagnostic as it is. */
function readable(message: string): string {
  const unknown = /Object literal may only specify known properties, and '"?([^"']+)"?' does not exist in type '([^']+)'/.exec(message);
  return unknown ? `unknown field "${unknown[1]}" (${unknown[2].replace(/^I/, '')} has no such field)` : message;
}
