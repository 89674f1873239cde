import { Global, Module } from '@nestjs/common';
import { HealthController } from './health/health.controller';
import { Readiness } from './health/readiness';
import { Metrics, MetricsController } from './metrics/metrics';

/** Health, readiness and metrics endpoints every app exposes on its own port. */
@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [Readiness, Metrics],
  exports: [Readiness, Metrics],
})
export class ServiceShellModule {}
