import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { droppedLogLineCount } from '../logging/json-logger';

/** One Prometheus registry per process, with Node's default metrics and the app's own. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly beforeScrapeReads: (() => Promise<void>)[] = [];

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

  /**
   * Runs `read` before every scrape renders the registry: for gauges measured from outside
   * (Kafka offsets, table counts) that must be read together and fresh. `read` handles its own
   * failures; a scrape never fails because one source is down.
   */
  beforeScrape(read: () => Promise<void>): void {
    this.beforeScrapeReads.push(read);
  }

  async render(): Promise<string> {
    await Promise.all(this.beforeScrapeReads.map((read) => read()));
    return this.registry.metrics();
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
    return this.metrics.render();
  }
}
