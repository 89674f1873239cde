import { Gauge } from 'prom-client';
import { Metrics } from '../metrics';

describe('Metrics.render', () => {
  it('runs every beforeScrape read first, so gauges measured from outside are fresh in the same scrape', async () => {
    const metrics = new Metrics();
    const gauge = new Gauge({ name: 'test_outside_figure', help: 'a figure read at scrape time', registers: [metrics.registry] });
    let reads = 0;
    metrics.beforeScrape(async () => {
      reads += 1;
      gauge.set(reads * 10);
    });
    expect(await metrics.render()).toContain('test_outside_figure 10');
    expect(await metrics.render()).toContain('test_outside_figure 20');
  });
});
