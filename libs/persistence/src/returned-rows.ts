/** The rows of an INSERT/UPDATE ... RETURNING: TypeORM's postgres driver answers an UPDATE as [rows, affectedCount]. */
export function returnedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) ? result[0] : result) as T[];
}
