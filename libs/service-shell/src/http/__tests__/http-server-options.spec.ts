import { ConfigError, loadConfig } from '../../config/load-config';
import { ServiceConfig } from '../../config/service-config';
import { httpServerOptions, pathParameterLengthMax, trustProxyOf } from '../http-server-options';

describe('httpServerOptions', () => {
  const config = (environment: Record<string, string> = {}) => loadConfig(ServiceConfig, { DATABASE_URL: 'postgres://unused', ...environment });

  it('fits a 200-character AUI in a path parameter however it is percent-encoded (4 bytes each, 3 characters a byte)', () => {
    expect(encodeURIComponent('😀'.repeat(200)).length).toBe(pathParameterLengthMax);
    expect(httpServerOptions(config(), 1024).routerOptions.maxParamLength).toBe(pathParameterLengthMax);
  });

  it('passes the limits to Node, with a headers timeout never longer than the request timeout', () => {
    const options = httpServerOptions(config({ HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_HEADERS_TIMEOUT_MS: '10000', HTTP_HEADER_BYTES_MAX: '4096' }), 1024);
    expect(options).toMatchObject({ requestTimeout: 2_000, keepAliveTimeout: 72_000, maxRequestsPerSocket: 1_000, bodyLimit: 1024 });
    expect(options.http).toEqual({ headersTimeout: 2_000, maxHeaderSize: 4_096, connectionsCheckingInterval: 500 });
  });

  it('reads TRUSTED_PROXY as off, a hop count, or addresses', () => {
    expect([trustProxyOf(''), trustProxyOf('1'), trustProxyOf('10.0.0.0/8,127.0.0.1')]).toEqual([false, 1, '10.0.0.0/8,127.0.0.1']);
  });

  it('refuses a TRUSTED_PROXY that is neither, naming the variable', () => {
    expect(() => config({ TRUSTED_PROXY: 'every one' })).toThrow(ConfigError);
    expect(() => config({ TRUSTED_PROXY: 'every one' })).toThrow(/TRUSTED_PROXY/);
  });
});
