import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorState } from '../simulator-state';
import { admitWildfireCall } from './commission-api';
import { bannerSvg, logoSvg, SimulatedMerchant } from './merchant-catalogue';

/** Wildfire's list pages hold at most 500 merchants. */
export const merchantPageLimitMax = 500;
const merchantIdsPerCallMax = 500;

/**
 * Wildfire's merchant API, `GET /v2/merchant`, behind the same WFAV1 check and the same one call
 * per interval limit as the Commission API (Wildfire counts an application's calls together):
 * `?id=1&id=2` describes those merchants (disabled ones too), and
 * `?disabled=false&cursor=&limit=500` pages through the enabled ones. The images are served
 * here too, under `/wl-image/`, without credentials, as a CDN serves them.
 */
export function registerMerchantApi(app: FastifyInstance, state: SimulatorState): void {
  app.get('/v2/merchant', (request, reply) => answerMerchantCall(state, request, reply));
  app.get('/wl-image/:file', (request, reply) => serveImage(state, (request.params as { file: string }).file, reply));
}

async function answerMerchantCall(state: SimulatorState, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const { log, refused } = admitWildfireCall(state, request, reply);
  if (refused !== null) return refused;
  const query = parseMerchantQuery(new URL(request.url, 'http://simulator').searchParams);
  if (typeof query === 'string') {
    log(400, 'bad-request');
    return reply.code(400).send({ error: 'bad-request', message: query });
  }
  const imageBase = `${request.protocol}://${request.headers.host ?? '127.0.0.1'}/wl-image`;
  const render = (merchant: SimulatedMerchant) => renderMerchant(merchant, imageBase);
  log(200, 'ok');
  if (query.kind === 'ids') {
    const wanted = new Set(query.ids);
    return reply.code(200).send({ Merchants: state.history.merchants.filter((merchant) => wanted.has(merchant.merchantId)).map(render), NextCursor: '' });
  }
  const listed = state.history.merchants.filter((merchant) => !query.enabledOnly || !merchant.disabled).sort((left, right) => left.merchantId - right.merchantId);
  const from = query.after === null ? 0 : listed.findIndex((merchant) => merchant.merchantId > (query.after as number));
  const page = from < 0 ? [] : listed.slice(from, from + query.limit);
  const more = from >= 0 && from + query.limit < listed.length;
  return reply.code(200).send({ Merchants: page.map(render), NextCursor: more ? Buffer.from(`m1:${page[page.length - 1].merchantId}`).toString('base64url') : '' });
}

type MerchantQuery = { kind: 'ids'; ids: number[] } | { kind: 'list'; enabledOnly: boolean; after: number | null; limit: number };

function parseMerchantQuery(parameters: URLSearchParams): MerchantQuery | string {
  const ids = parameters.getAll('id');
  if (ids.length > 0) {
    if (ids.length > merchantIdsPerCallMax) return `at most ${merchantIdsPerCallMax} ids per call`;
    if (!ids.every((id) => /^\d{1,15}$/.test(id))) return 'id must be a merchant id (digits)';
    return { kind: 'ids', ids: ids.map(Number) };
  }
  const limitText = parameters.get('limit') ?? String(merchantPageLimitMax);
  if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > merchantPageLimitMax) return `limit must be from 1 to ${merchantPageLimitMax}`;
  const disabled = parameters.get('disabled');
  if (disabled !== null && disabled !== 'true' && disabled !== 'false') return 'disabled must be true or false';
  const cursor = parameters.get('cursor') ?? '';
  const after = cursor === '' ? null : decodeMerchantCursor(cursor);
  if (after === undefined) return 'cursor is not one this API issued';
  return { kind: 'list', enabledOnly: disabled === 'false', after, limit: Number(limitText) };
}

function decodeMerchantCursor(cursor: string): number | undefined {
  const match = /^m1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match === null ? undefined : Number(match[1]);
}

/** The fields Wildfire's merchant records carry (PascalCase, as the documentation prints them). */
function renderMerchant(merchant: SimulatedMerchant, imageBase: string): Record<string, unknown> {
  const shortCode = Buffer.from(String(merchant.merchantId)).toString('base64url');
  return {
    ID: merchant.merchantId,
    Name: merchant.name,
    Disabled: merchant.disabled,
    Featured: false,
    ShortCode: shortCode,
    ShortURL: `http://wild.link/${shortCode}`,
    Images: [
      { ID: merchant.merchantId * 10 + 1, Kind: 'FEATURED', Ordinal: 1, ImageID: merchant.merchantId * 10 + 1, URL: `${imageBase}/${merchant.bannerFile}`, Width: 660, Height: 380 },
      { ID: merchant.merchantId * 10 + 2, Kind: 'LOGO', Ordinal: 1, ImageID: merchant.merchantId * 10 + 2, URL: `${imageBase}/${merchant.logoFile}`, Width: 200, Height: 200 },
    ],
  };
}

function serveImage(state: SimulatorState, file: string, reply: FastifyReply): FastifyReply {
  const logo = state.history.merchants.find((merchant) => merchant.logoFile === file);
  const banner = logo === undefined ? state.history.merchants.find((merchant) => merchant.bannerFile === file) : undefined;
  if (logo === undefined && banner === undefined) return reply.code(404).send({ error: 'not-found', message: 'no such image' });
  const svg = logo !== undefined ? logoSvg(logo) : bannerSvg(banner as SimulatedMerchant);
  return reply.code(200).header('content-type', 'image/svg+xml').header('cache-control', 'public, max-age=86400, immutable').send(svg);
}
