import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { BatchingProducer, createKafka } from '@earnings/kafka';
import { createDataSource } from '@earnings/persistence';
import { loadConfig, Metrics, runMain } from '@earnings/service-shell';
import { FirstPromoterVersionRepository } from '../firstpromoter/repositories/firstpromoter-version.repository';
import { FirstPromoterVersionService } from '../firstpromoter/services/firstpromoter-version.service';
import { IngestConfig } from '../ingest.config';
import { InboundPublisher } from '../publishing/inbound-publisher';

/** Commissions listed by --list at most. */
const disagreementsListedMax = 200;

/**
 * A FirstPromoter commission keeps the user it was first observed with, whatever later payloads
 * say (a renamed reward, a promoter's new cust_id). This moves one on purpose: it publishes the
 * commission's newest version again naming the new owner, so the ledger moves the money; what the
 * first user was already paid stays paid and shows as their clawback (uncollected until later
 * earnings offset it). `--list` shows the commissions whose payloads now name another user.
 *
 *   node dist/apps/ingest/src/commands/firstpromoter-move-commission.js --commission 88120 --to <aui> --reason "ticket 4711: wrong referrer"
 *   node dist/apps/ingest/src/commands/firstpromoter-move-commission.js --list
 */
runMain('firstpromoter-move-commission', async (logger) => {
  const { values } = parseArgs({ options: { commission: { type: 'string' }, to: { type: 'string' }, reason: { type: 'string' }, list: { type: 'boolean', default: false } } });
  const config = loadConfig(IngestConfig);
  const dataSource = createDataSource({ url: config.DATABASE_URL, applicationName: 'earnings-firstpromoter-move', poolSizeMax: 2 });
  await dataSource.initialize();
  try {
    const repository = new FirstPromoterVersionRepository(dataSource);
    if (values.list) {
      process.stdout.write(`${JSON.stringify({ disagreements: await repository.disagreements(disagreementsListedMax) })}\n`);
      return;
    }
    if (!values.commission || !values.to || !values.reason?.trim()) throw new Error('usage: firstpromoter-move-commission --commission <id> --to <aui> --reason <why> | --list');
    const movedAt = new Date().toISOString();
    const move = await new FirstPromoterVersionService(repository, new Metrics()).move(values.commission, values.to, values.reason.trim(), movedAt);
    if (move.kind === 'refused') throw new Error(`commission ${values.commission} not moved: ${move.problem}`);
    const producer = new BatchingProducer(createKafka({ brokers: config.KAFKA_BROKERS.split(','), clientId: 'earnings-firstpromoter-move' }, logger), { lingerMs: 0, batchMessagesMax: 10, acknowledgementTimeoutMs: config.KAFKA_ACKNOWLEDGEMENT_TIMEOUT_MS });
    await producer.connect();
    try {
      // The raw copy records the operator's decision; publishing again after a failure republishes the same observation.
      const decision = { commissionId: values.commission, from: move.from, to: values.to, reason: values.reason.trim(), movedAt };
      await new InboundPublisher(producer).publish(
        { source: 'firstpromoter', endpoint: 'operator:move-commission', deliveryId: null, receivedAt: movedAt, headers: {}, body: Buffer.from(JSON.stringify(decision)) },
        [move.observation],
      );
    } finally {
      await producer.disconnect();
    }
    logger.info({ commissionId: values.commission, from: move.from, to: values.to }, 'firstpromoter commission moved');
    process.stdout.write(`${JSON.stringify({ moved: true, commissionId: values.commission, from: move.from, to: values.to, observationId: move.observation.observationId, modifiedDate: move.observation.modifiedDate })}\n`);
  } finally {
    await dataSource.destroy();
  }
});
