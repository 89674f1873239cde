export const faultKinds = ['timeouts', 'serverErrors', 'malformed'] as const;
export type FaultKind = (typeof faultKinds)[number];
export type FaultCounts = Record<FaultKind, number>;

/** The next call's fault, or null for a normal answer. */
export type Fault = 'timeout' | 'server-error' | 'malformed';

/** A bound on queued faults: a typo like 1e9 must not make the API unusable for the rest of a run. */
export const faultsPerKindMax = 10_000;

export interface MalformedBody {
  contentType: string;
  body: string;
}

/**
 * The bodies a maintenance window or a broken proxy produces with status 200: not JSON at all,
 * JSON cut short, and JSON of the wrong shape. Served in turn so each kind is exercised.
 */
const malformedBodies: readonly MalformedBody[] = [
  { contentType: 'text/html; charset=utf-8', body: '<html><body><h1>Service temporarily unavailable</h1></body></html>' },
  { contentType: 'application/json', body: '{"Commissions":[{"CommissionID":31870476,"Amounts":[{"Amount":"1.25' },
  { contentType: 'application/json', body: '{"data":[],"next":null}' },
  { contentType: 'application/json', body: '{"Commissions":"maintenance","NextCursor":""}' },
];

/** Faults queued by `POST /_admin/faults`, consumed one per accepted API call: timeouts first, then 503s, then malformed bodies. */
export class FaultPlan {
  private readonly pending: FaultCounts = { timeouts: 0, serverErrors: 0, malformed: 0 };
  private malformedServed = 0;

  add(counts: Partial<FaultCounts>): FaultCounts {
    for (const kind of faultKinds) {
      const added = counts[kind] ?? 0;
      this.pending[kind] = Math.min(faultsPerKindMax, this.pending[kind] + added);
    }
    return this.snapshot();
  }

  clear(): FaultCounts {
    for (const kind of faultKinds) this.pending[kind] = 0;
    return this.snapshot();
  }

  snapshot(): FaultCounts {
    return { ...this.pending };
  }

  takeNext(): Fault | null {
    if (this.take('timeouts')) return 'timeout';
    if (this.take('serverErrors')) return 'server-error';
    if (this.take('malformed')) return 'malformed';
    return null;
  }

  nextMalformedBody(): MalformedBody {
    const body = malformedBodies[this.malformedServed % malformedBodies.length];
    this.malformedServed += 1;
    return body;
  }

  private take(kind: FaultKind): boolean {
    if (this.pending[kind] === 0) return false;
    this.pending[kind] -= 1;
    return true;
  }
}

/** Validates an admin request body: each named kind must be a non-negative integer within the bound. */
export function parseFaultCounts(body: unknown): Partial<FaultCounts> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object like {"timeouts": 1, "serverErrors": 2, "malformed": 1}';
  const counts: Partial<FaultCounts> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!(faultKinds as readonly string[]).includes(name)) return `unknown fault "${name}": use ${faultKinds.join(', ')}`;
    if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > faultsPerKindMax) return `${name} must be an integer from 0 to ${faultsPerKindMax}`;
    counts[name as FaultKind] = value as number;
  }
  return counts;
}
