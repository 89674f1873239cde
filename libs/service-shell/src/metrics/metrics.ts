import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { droppedLogLineCount } from '../logging/json-logger';

/** One Prometheus registry per process, with Node's default metrics and the app's own. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Lines the bounded log buffer dropped: the log reader was too slow or gone (nothing else would say so).
    new Gauge({
      name: 'log_lines_dropped',
      help: 'Log lines dropped since start because the log buffer was full',
      registers: [this.registry],
      collect() {
        this.set(droppedLogLineCount());
      },
    });
  }

  counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
    const existing = this.registry.getSingleMetric(name);
    return (existing as Counter<string>) ?? new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram<string> {
    const existing = this.registry.getSingleMetric(name);
    return (existing as Histogram<string>) ?? new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}

@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
