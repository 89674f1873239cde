import { createHash } from 'node:crypto';
import { stableFraction } from '../random';

/**
 * The stores of the simulated history, as Wildfire's merchant API describes them: a name, a logo
 * and a banner. The names are made up (no real brand is named) but read like the stores a
 * cash-back user shops at; each logo is an SVG the simulator serves itself, under a content hash
 * like Wildfire's image URLs.
 */
export interface SimulatedMerchant {
  merchantId: number;
  name: string;
  /** Disabled merchants are left out of the list, but still described when asked for by id. */
  disabled: boolean;
  /** The file name of its logo under /wl-image/. */
  logoFile: string;
  bannerFile: string;
  /** The logo's background colour. */
  colour: string;
}

const storeNames = [
  'Northwind Outfitters', 'Bluebird Books', 'Harbor & Pine Home', 'Summit Sports Co.', 'Copper Kettle Kitchen', 'Lumen Electronics',
  'Fernwood Garden Supply', 'Maple Street Toys', 'Atlas Travel', 'Velvet Rose Beauty', 'Ironclad Tools', 'Pebble & Co. Jewelry',
  'Cascade Coffee Roasters', 'Urban Thread Apparel', 'Brightside Pharmacy', 'Golden Spoon Grocers', 'Riverbend Pet Supply', 'Starlight Cinemas',
  'Oakridge Furniture', 'Nimbus Office', 'Sundial Watches', 'Trailhead Outdoors', 'Little Sprout Baby', 'Redwood Wine Cellar',
  'Polar Bear Appliances', 'Saffron Spice Market', 'Quill & Ink Stationery', 'Harvest Table Meal Kits', 'Skyline Hotels', 'Coral Reef Swimwear',
  'Mosaic Art Supply', 'Evergreen Vitamins', 'Tidewater Shoes', 'Kestrel Cycles', 'Lantern Lighting', 'Orchard Fresh Flowers',
  'Silverline Eyewear', 'Driftwood Candles', 'Pinnacle Fitness', 'Honeycomb Crafts', 'Juniper Linens', 'Falcon Auto Parts',
  'Meadowlark Music', 'Granite Gaming', 'Willow Tea House', 'Cobalt Phone Cases', 'Lighthouse Luggage', 'Thistle Yarns',
];

const colours = ['#1f6f8b', '#a23b72', '#2e7d32', '#c2571a', '#5e35b1', '#00796b', '#ad1457', '#37474f', '#6d4c41', '#1565c0', '#b8860b', '#7b1fa2'];

export const merchantNamesMax = storeNames.length;

/** The merchant for each id, named in an order the seed decides (not from the history's own random stream). */
export function merchantCatalogue(seed: string, merchantIds: readonly number[]): SimulatedMerchant[] {
  if (merchantIds.length > storeNames.length) throw new RangeError(`at most ${storeNames.length} merchants have names`);
  const names = [...storeNames].sort((left, right) => stableFraction('merchant-name', seed, left) - stableFraction('merchant-name', seed, right));
  return merchantIds.map((merchantId, index) => {
    const file = (kind: string) => `${createHash('sha1').update(`${kind}|${seed}|${merchantId}`).digest('hex')}.svg`;
    return {
      merchantId,
      name: names[index],
      disabled: stableFraction('merchant-disabled', seed, merchantId) < 0.1,
      logoFile: file('logo'),
      bannerFile: file('banner'),
      colour: colours[Math.floor(stableFraction('merchant-colour', seed, merchantId) * colours.length)],
    };
  });
}

/** A 200x200 logo: the store's initials on its colour. */
export function logoSvg(merchant: SimulatedMerchant): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200"><rect width="200" height="200" rx="40" fill="${merchant.colour}"/>`
    + `<text x="100" y="126" font-family="Helvetica, Arial, sans-serif" font-size="76" font-weight="700" fill="#ffffff" text-anchor="middle">${xmlText(initialsOf(merchant.name))}</text></svg>`;
}

/** A 660x380 banner (Wildfire's FEATURED image): the name on the store's colour. */
export function bannerSvg(merchant: SimulatedMerchant): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="660" height="380" viewBox="0 0 660 380"><rect width="660" height="380" fill="${merchant.colour}"/>`
    + `<text x="330" y="205" font-family="Helvetica, Arial, sans-serif" font-size="44" font-weight="700" fill="#ffffff" text-anchor="middle">${xmlText(merchant.name)}</text></svg>`;
}

function initialsOf(name: string): string {
  return name.split(/[\s&.]+/).filter((word) => /^[A-Za-z]/.test(word)).slice(0, 2).map((word) => word[0].toUpperCase()).join('');
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
