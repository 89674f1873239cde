import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * promtool, which checks and unit-tests the alert rules (deploy/prometheus): the one on PATH, else
 * the one extracted on the first run from Debian's `prometheus` package into .cache/prometheus. The
 * package is only unpacked, never installed, so no Prometheus server is set up or started. Returns
 * its path, or null with the reason logged (the alert rule tests then fail saying so).
 */
export function ensurePromtool(workspaceRoot: string, log: (message: string) => void): string | null {
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0) return 'promtool';
  const directory = join(workspaceRoot, '.cache', 'prometheus');
  const cached = join(directory, 'usr', 'bin', 'promtool');
  if (existsSync(cached)) return cached;
  log("fetching promtool from Debian's prometheus package (first run only)...");
  const download = mkdtempSync(join(tmpdir(), 'prometheus-deb-'));
  try {
    const fetchPackage = () => spawnSync('apt-get', ['download', '-qq', 'prometheus'], { cwd: download, encoding: 'utf8' });
    let fetched = fetchPackage();
    // A machine whose package lists were never read finds no package: read them once, then try again.
    if (fetched.status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
      fetched = fetchPackage();
    }
    const debianPackage = readdirSync(download).find((file) => file.endsWith('.deb'));
    if (fetched.status !== 0 || debianPackage === undefined) {
      log(`could not fetch promtool (${(fetched.stderr || fetched.error?.message || 'no package').trim()}): install Debian's prometheus package or put promtool on PATH`);
      return null;
    }
    mkdirSync(directory, { recursive: true });
    execFileSync('dpkg-deb', ['-x', join(download, debianPackage), directory]);
    return existsSync(cached) ? cached : null;
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}
