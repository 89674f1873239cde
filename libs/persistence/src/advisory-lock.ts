import { DataSource } from 'typeorm';

/**
 * Runs `work` while holding a PostgreSQL session advisory lock named `name`, on a connection of its
 * own; answers null at once when another process (a replica, a command) holds it: one run of a
 * partner pull at a time, since a second would only double the partner's calls.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, name: string, work: () => Promise<T>): Promise<T | null> {
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    const [{ locked }] = await lock.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [name]);
    if (!locked) return null;
    try {
      return await work();
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  } finally {
    await lock.release();
  }
}
