import { formatAmount } from '../money';

/** An amount as people read it; the exact decimal stays in the title and in data-amount (what tests and partners can read back). */
export function Amount({ value, unit, className }: { value: string; unit: string; className?: string }) {
  return (
    <span className={className ? `amount ${className}` : 'amount'} title={`${value} ${unit}`} data-amount={value}>
      {formatAmount(value, unit)}
    </span>
  );
}
