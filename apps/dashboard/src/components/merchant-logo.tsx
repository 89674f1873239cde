import { useState } from 'react';
import { Merchant } from '../graphql/types';

/** The store's name as users know it; the id until the directory has it. */
export function merchantName(merchant: Merchant): string {
  return merchant.name ?? `Store ${merchant.id}`;
}

/**
 * The store's logo, or its initial when it has none or the image cannot load (blocked, offline):
 * the row keeps its shape either way. Decorative: the name beside it says which store.
 */
export function MerchantLogo({ merchant }: { merchant: Merchant | null }) {
  const [failed, setFailed] = useState(false);
  const initial = merchant?.name?.trim().charAt(0).toUpperCase() || '•';
  if (merchant?.logoUrl && !failed) {
    return <img className="merchant-logo" src={merchant.logoUrl} alt="" width={36} height={36} loading="lazy" referrerPolicy="no-referrer" onError={() => setFailed(true)} />;
  }
  return <span className={`merchant-logo merchant-initial merchant-tone-${toneOf(merchant?.name ?? '')}`} aria-hidden="true">{initial}</span>;
}

const tones = 6;

/** The same store always gets the same tone, so initials tell stores apart at a glance. */
function toneOf(name: string): number {
  let hash = 0;
  for (const character of name) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) % 9973;
  return hash % tones;
}
