import { Client } from 'pg';
import { requireTestInfrastructure } from '../../../../tools/e2e/test-stack';
import { arrayLiteral } from '../array-literal';

describe('arrayLiteral read by PostgreSQL', () => {
  it('comes back as the same values from unnest', async () => {
    const client = new Client({ connectionString: requireTestInfrastructure().databaseUrl });
    await client.connect();
    try {
      const values = ['a,b', 'say "hi"', 'back\\slash', '{braces}', 'NULL', ' spaced ', 'über ✓', null];
      const { rows } = await client.query<{ value: string | null }>('SELECT unnest($1::text[]) AS value', [arrayLiteral(values)]);
      expect(rows.map((row) => row.value)).toEqual(values);
    } finally {
      await client.end();
    }
  });
});
