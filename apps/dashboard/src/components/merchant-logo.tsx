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
  return <span className="merchant-logo merchant-initial" aria-hidden="true">{initial}</span>;
}
