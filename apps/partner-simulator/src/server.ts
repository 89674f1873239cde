import Fastify, { FastifyInstance, FastifyServerOptions, LogController } from 'fastify';
import { registerAdminRoutes } from './admin-routes';
import { registerPayoutStandIns } from './payouts/payout-stand-ins';
import { firstPromoterStandInOptions, registerFirstPromoterStandIn } from './firstpromoter/firstpromoter-stand-in';
import { registerPartnerRewardEndpoint } from './firstpromoter/partner-reward-endpoint';
import { checkedOptions, SimulatorOptions } from './simulator-options';
import { SimulatorState } from './simulator-state';
import { registerCommissionApi } from './wildfire/commission-api';
import { registerMerchantApi } from './wildfire/merchant-api';

export interface Simulator {
  app: FastifyInstance;
  state: SimulatorState;
}

/**
 * The partner simulator, not yet listening: tests call `app.listen({ port: 0, host: '127.0.0.1' })`
 * and read the state directly. The history is generated here, once, from the seed.
 */
export function buildSimulator(options: Partial<SimulatorOptions> = {}, logger: FastifyServerOptions['logger'] = false): Simulator {
  const state = new SimulatorState(checkedOptions(options));
  const app = Fastify({
    logger,
    // Request logging is off: the partner-facing calls are in /_admin/requests, and per-request lines would drown a benchmark.
    logController: new LogController({ disableRequestLogging: true }),
    // A simulator owes its clients nothing at shutdown: drop keep-alive sockets instead of waiting for them.
    forceCloseConnections: true,
    bodyLimit: 1_048_576,
  });
  // Calls held by an injected timeout would otherwise keep close() waiting for their connections.
  app.addHook('preClose', async () => state.closing.abort());
  registerCommissionApi(app, state);
  registerMerchantApi(app, state);
  registerAdminRoutes(app, state);
  registerPayoutStandIns(app, state.closing.signal);
  registerFirstPromoterStandIn(app, firstPromoterStandInOptions(process.env, state.options.seed, state.options.auiPrefix));
  registerPartnerRewardEndpoint(app, process.env.SIMULATOR_REWARD_WEBHOOK_SECRET || 'dev-reward-webhook-secret');
  return { app, state };
}
