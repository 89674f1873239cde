import { join } from 'node:path';
import { DashboardServerOptions } from './dashboard-server';

/** A development sign-in signs anyone in as any user: refused in every mode but development. */
export function dashboardOptionsOf(env: Record<string, string | undefined>, builtPageDirectory: string): DashboardServerOptions & { port: number } {
  const devSignInAsked = env.DASHBOARD_DEV_SIGN_IN === 'true';
  const secret = env.DASHBOARD_DEV_JWT_SECRET ?? '';
  if (devSignInAsked && env.NODE_ENV !== 'development') {
    throw new Error('DASHBOARD_DEV_SIGN_IN=true is refused unless NODE_ENV=development: it signs anyone in as any user');
  }
  if (devSignInAsked && secret.length < 32) throw new Error("DASHBOARD_DEV_SIGN_IN=true needs DASHBOARD_DEV_JWT_SECRET, the query service's QUERY_JWT_SECRET (32+ characters)");
  const port = Number(env.DASHBOARD_PORT ?? 3005);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('DASHBOARD_PORT must be a port number');
  return {
    port,
    staticDirectory: env.DASHBOARD_STATIC_DIR ?? builtPageDirectory,
    queryUrl: new URL(env.DASHBOARD_QUERY_URL ?? 'http://127.0.0.1:3004'),
    devSignInSecret: devSignInAsked ? secret : null,
    devUsers: (env.DASHBOARD_DEV_USERS ?? '').split(',').map((user) => user.trim()).filter((user) => user !== ''),
    frameAncestors: env.DASHBOARD_FRAME_ANCESTORS ?? "'self'",
    imageSources: imageSourcesOf(env.DASHBOARD_IMAGE_SOURCES ?? defaultImageSources),
  };
}

/** Where store logos come from: Wildfire's image host. */
export const defaultImageSources = 'https://images.wildlink.me';

/**
 * DASHBOARD_IMAGE_SOURCES: comma-separated http(s) origins the page may load images from (CSP
 * img-src, after 'self' and data:). Each is checked and written back as its origin, so nothing but
 * an origin reaches the header.
 */
export function imageSourcesOf(text: string): string[] {
  return text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '').map((entry) => {
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {
      url = null;
    }
    const isOrigin = url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '' && !/[\s;,'"]/.test(entry);
    if (!isOrigin) throw new Error(`DASHBOARD_IMAGE_SOURCES: "${entry}" is not an http(s) origin such as https://images.wildlink.me`);
    return `${url!.protocol}//${url!.host}`;
  });
}

export const builtPageDirectoryBeside = (serverDirectory: string): string => join(serverDirectory, '..', 'web');
