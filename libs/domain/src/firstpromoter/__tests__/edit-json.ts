/**
 * Copies a JSON body with edits given as dotted paths: `{ 'data.amount': 1470 }`.
 * `undefined` deletes the key. Keeps fixture variations short and typed.
 */
export function editJson(body: Buffer, edits: Record<string, unknown>): Buffer {
  const copy = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  for (const [path, value] of Object.entries(edits)) applyEdit(copy, path.split('.'), value);
  return Buffer.from(JSON.stringify(copy));
}

function applyEdit(target: Record<string, unknown>, keys: string[], value: unknown): void {
  const [key, ...rest] = keys;
  if (rest.length > 0) return applyEdit(target[key] as Record<string, unknown>, rest, value);
  if (value === undefined) delete target[key];
  else target[key] = value;
}
