import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Summarises V8 CPU profiles (node --cpu-prof) by self time: the top functions and the top
 * packages (node_modules/<name>, or the workspace file), as shares of the busy (non-idle) samples.
 *   node dist/tools/bench/profile-summary.js bench/results/profiles-<time>/*.cpuprofile [--top=20]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

const idleFrames = new Set(['(idle)', '(program)']);

/** Module loading and the entry point's top level: start-up, which dominates a short profile and says nothing about load. */
const isStartupFrame = (node: ProfileNode): boolean =>
  node.callFrame.url.startsWith('node:internal/modules/') || /\/dist\/apps\/[^/]+\/src\/main\.js$/.test(node.callFrame.url);

/** node_modules/<package> (scoped included), dist/<workspace path>, node:<module>, or the V8 pseudo-frame. */
function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  if (url.startsWith('node:')) return url;
  const workspace = /\/dist\/(.+)$/.exec(url);
  return workspace ? workspace[1] : url;
}

function frameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${where}`;
}

function top(counts: Map<string, number>, busy: number, limit: number): string[] {
  return [...counts]
    .sort(([, left], [, right]) => right - left)
    .slice(0, limit)
    .map(([name, hits]) => `${((hits / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
}

interface Tree {
  byId: Map<number, ProfileNode>;
  parentOf: Map<number, number>;
}

function treeOf(profile: CpuProfile): Tree {
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  return { byId: new Map(profile.nodes.map((node) => [node.id, node])), parentOf };
}

function stackOf(tree: Tree, leaf: number): ProfileNode[] {
  const stack: ProfileNode[] = [];
  for (let id: number | undefined = leaf; id !== undefined; id = tree.parentOf.get(id)) stack.push(tree.byId.get(id)!);
  return stack;
}

/** The busy samples as stacks (leaf first), without start-up ones. */
function runtimeStacks(profile: CpuProfile): ProfileNode[][] {
  const tree = treeOf(profile);
  return (profile.samples ?? [])
    .map((sample) => stackOf(tree, sample))
    .filter((stack) => !idleFrames.has(stack[0].callFrame.functionName) && !stack.some(isStartupFrame));
}

/** Samples under each frame, each counted once per stack; `self` counts only the leaf. */
function countFrames(stacks: ProfileNode[][], name: (node: ProfileNode) => string | null, self: boolean): Map<string, number> {
  const counts = new Map<string, number>();
  for (const stack of stacks) {
    const names = new Set((self ? stack.slice(0, 1) : stack).map(name).filter((value): value is string => value !== null));
    for (const value of names) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

export function summarise(file: string, limit: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const stacks = runtimeStacks(profile);
  const busy = Math.max(stacks.length, 1);
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  const workspaceFrame = (node: ProfileNode) => (/\/dist\/(apps|libs)\//.test(node.callFrame.url) ? frameOf(node) : null);
  return [
    `== ${basename(file)}: ${seconds.toFixed(1)} s profiled, ${stacks.length} busy samples after start-up (of ${(profile.samples ?? []).length})`,
    '-- self time by package / file',
    ...top(countFrames(stacks, (node) => packageOf(node.callFrame.url, node.callFrame.functionName), true), busy, limit),
    '-- self time by function',
    ...top(countFrames(stacks, frameOf, true), busy, limit),
    '-- total time (callees included) by package',
    ...top(countFrames(stacks, (node) => packageOf(node.callFrame.url, node.callFrame.functionName), false), busy, limit),
    '-- total time (callees included) of workspace functions',
    ...top(countFrames(stacks, workspaceFrame, false), busy, limit),
  ].join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const limit = Number(args.find((arg) => arg.startsWith('--top='))?.slice(6) ?? 20);
  for (const file of args.filter((arg) => !arg.startsWith('--'))) console.log(`${summarise(file, limit)}\n`);
}
