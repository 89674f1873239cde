export * from './config/load-config';
export * from './config/service-config';
export * from './logging/json-logger';
export * from './health/readiness';
export * from './health/health.controller';
export * from './metrics/metrics';
export * from './service-shell.module';
export * from './bootstrap/start-service';
