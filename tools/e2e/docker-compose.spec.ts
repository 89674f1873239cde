import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { topicSettings } from '@earnings/contracts';
import { loadConfig } from '@earnings/service-shell';
import { workspaceRoot } from '@earnings/testing';
import { IngestConfig } from '../../apps/ingest/src/ingest.config';
import { PayoutConfig } from '../../apps/payout/src/payout.config';
import { ProjectorConfig } from '../../apps/ledger-projector/src/projector.config';
import { QueryConfig } from '../../apps/query/src/query.config';
import { loadSetupConfig } from '../admin/setup';
import { appEntryPoints } from '../local-stack/processes';

// No Docker engine runs where the tests run, so this keeps docker-compose.yml and the Dockerfile
// honest against the code instead: every service's environment passes its config validation,
// ports agree, and each image target starts the entry point the code builds.

interface ComposeService {
  image?: string;
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const root = workspaceRoot();
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

const apps = [
  { name: 'ingest', config: IngestConfig, portVariable: 'INGEST_PORT' },
  { name: 'ledger-projector', config: ProjectorConfig, portVariable: 'PROJECTOR_PORT' },
  { name: 'payout', config: PayoutConfig, portVariable: 'PAYOUT_PORT' },
  { name: 'query', config: QueryConfig, portVariable: 'QUERY_PORT' },
] as const;

describe('docker-compose.yml matches the code', () => {
  it.each(apps)('$name: its environment satisfies its config schema', ({ name, config }) => {
    const environment = compose.services[name].environment ?? {};
    expect(() => loadConfig(config as new () => object, environment)).not.toThrow();
  });

  it.each(apps)('$name: publishes the port its config listens on, and the image exposes it', ({ name, config, portVariable }) => {
    const service = compose.services[name];
    const loaded = loadConfig(config as new () => object, service.environment ?? {}) as Record<string, unknown>;
    const port = String(loaded[portVariable]);
    expect(service.ports).toContain(`${port}:${port}`);
    expect(service.environment?.HOST).toBe('0.0.0.0');
    expect(dockerfile).toMatch(new RegExp(`FROM runtime AS ${name}\\nEXPOSE ${port}\\n`));
  });

  it.each(apps)('$name: the image target builds and starts the code entry point', ({ name }) => {
    expect(compose.services[name].build?.target).toBe(name);
    expect(dockerfile).toContain(`AS ${name}\n`);
    const command = new RegExp(`AS ${name}\\n(?:EXPOSE \\d+\\n)?CMD \\["node", "--enable-source-maps", "([^"]+)"\\]`).exec(dockerfile);
    expect(command?.[1]).toBe(appEntryPoints[name]);
  });

  it('reaches Kafka and PostgreSQL by their compose service names, after setup has created topics and schema', () => {
    for (const { name } of apps) {
      const environment = compose.services[name].environment ?? {};
      expect(environment.KAFKA_BROKERS).toBe('kafka:9092');
      expect(new URL(environment.DATABASE_URL).host).toBe('postgres:5432');
      expect(compose.services[name].depends_on?.setup?.condition).toBe('service_completed_successfully');
    }
    expect(compose.services.setup.build?.target).toBe('setup');
    expect(dockerfile).toContain('CMD ["node", "--enable-source-maps", "dist/tools/admin/setup.js"]');
  });

  it('setup: its environment passes its checks, with replication settings a single broker can meet', () => {
    const config = loadSetupConfig(compose.services.setup.environment ?? {});
    expect([config.KAFKA_REPLICATION_FACTOR, config.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([1, 1]);
  });

  it('the images run Node 22 LTS, and package.json\'s engines admit it and the Node 20 these tests run on', () => {
    const baseImages = [...dockerfile.matchAll(/^FROM (node:\S+)/gm)].map((match) => match[1]);
    expect(baseImages).toEqual(['node:22-bookworm-slim', 'node:22-bookworm-slim']);
    const engines = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const majors = engines.split('||').map((range) => Number(/^\s*\^(\d+)\s*$/.exec(range)?.[1]));
    expect(majors).toEqual([20, 22]);
    expect(majors).toContain(Number(process.versions.node.split('.')[0]));
  });

  it('runs Apache Kafka 3.9 in KRaft mode, with the listener the services use', () => {
    const kafka = compose.services.kafka;
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.environment?.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    // Topics come only from the setup step, with the settings in libs/contracts.
    expect(kafka.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(topicSettings(6).map((topic) => topic.name)).toEqual([
      'earnings.raw-inbound.v1',
      'earnings.commission-observed.v1',
      'earnings.commission-observed.dlq.v1',
      'earnings.balance-changed.v1',
      'earnings.balance-changed.dlq.v1',
      'earnings.payout-executed.v1',
      'earnings.payout-failed.v1',
      'earnings.payout-lifecycle.v1',
    ]);
  });
});
