import { parseExactJson } from '../exact-json';
import { merchantIdsToLookUp, readWildfireMerchant } from '../wildfire-merchant';

/** A record as Wildfire's merchant API sends it (GET /v2/merchant). */
const record = (overrides: Record<string, unknown> = {}) => ({
  ID: 5478747,
  Name: 'Hotels.com',
  Disabled: false,
  Featured: false,
  ShortCode: 'mPEE27LOAhI',
  Images: [
    { ID: 3, Kind: 'FEATURED', Ordinal: 1, ImageID: 3, URL: 'https://images.wildlink.me/wl-image/a3a4.jpeg', Width: 660, Height: 380 },
    { ID: 809, Kind: 'LOGO', Ordinal: 10, ImageID: 810, URL: 'https://images.wildlink.me/wl-image/second.jpeg', Width: 200, Height: 200 },
    { ID: 808, Kind: 'LOGO', Ordinal: 1, ImageID: 809, URL: 'https://images.wildlink.me/wl-image/2fe2.jpeg', Width: 200, Height: 200 },
  ],
  ...overrides,
});

describe('a merchant from Wildfire\'s merchant API', () => {
  it('keeps the id as commissions carry it, the name, and the logo with the lowest ordinal', () => {
    expect(readWildfireMerchant(record())).toEqual({
      merchantId: '5478747', name: 'Hotels.com', logoUrl: 'https://images.wildlink.me/wl-image/2fe2.jpeg', disabled: false,
    });
  });

  it('reads exact numbers from a page parsed with parseExactJson, and any letter case', () => {
    const page = parseExactJson('{"merchants":[{"id":12345678901234567,"name":"Big Store","disabled":true,"images":[{"kind":"logo","ordinal":1,"url":"https://cdn.example/a.png"}]}]}');
    const [merchant] = (page as { merchants: unknown[] }).merchants;
    expect(readWildfireMerchant(merchant)).toEqual({ merchantId: '12345678901234567', name: 'Big Store', logoUrl: 'https://cdn.example/a.png', disabled: true });
  });

  it('cleans the name for display and leaves out a logo that is not an http(s) URL', () => {
    expect(readWildfireMerchant(record({ Name: ' Shop\u202e\u0000 ', Images: [{ Kind: 'LOGO', Ordinal: 1, URL: 'javascript:alert(1)' }] })))
      .toMatchObject({ name: 'Shop', logoUrl: null });
    expect(readWildfireMerchant(record({ Images: [{ Kind: 'LOGO', URL: 'https://user:secret@cdn.example/a.png' }] }))).toMatchObject({ logoUrl: null });
    expect(readWildfireMerchant(record({ Images: [{ Kind: 'LOGO', URL: `https://cdn.example/${'a'.repeat(3_000)}` }] }))).toMatchObject({ logoUrl: null });
    expect(readWildfireMerchant(record({ Name: null, Images: 'none' }))).toMatchObject({ name: null, logoUrl: null });
  });

  it('has no merchant without an id it can be asked for by', () => {
    for (const id of [undefined, null, '', 'abc', -5, 1.5, '007', { id: 1 }]) expect(readWildfireMerchant(record({ ID: id }))).toBeNull();
    expect(readWildfireMerchant('not a record')).toBeNull();
  });

  it('asks for whole-number merchant ids only, each once', () => {
    expect(merchantIdsToLookUp(['5590587', null, '5590587', 'store-1', '42', '0'])).toEqual(['5590587', '42']);
  });
});
