/** The identity of a commission: (source, the source's commission id). JSON keeps it unambiguous whatever characters the source id holds. */
export function commissionKey(source: string, commissionId: string): string {
  return JSON.stringify([source, commissionId]);
}
