import { canonicalTimestamp } from '@earnings/domain';
import { DataSource } from 'typeorm';

/** Where an unfinished window of a sync stands: pulled through `resumeFrom`, so a restart goes on from there. */
export interface ResumePoint {
  windowStart: string;
  resumeFrom: string;
  pages: number;
  records: number;
}

export class SyncResumePointRepository {
  constructor(private readonly dataSource: DataSource) {}

  async of(name: string): Promise<ResumePoint | null> {
    const rows: { window_start: string; resume_from: string; pages: string; records: string }[] = await this.dataSource.query(
      'SELECT window_start, resume_from, pages, records FROM sync_resume_point WHERE name = $1',
      [name],
    );
    if (rows.length === 0) return null;
    const [row] = rows;
    return { windowStart: canonicalTimestamp(row.window_start), resumeFrom: canonicalTimestamp(row.resume_from), pages: Number(row.pages), records: Number(row.records) };
  }

  async save(name: string, point: ResumePoint): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sync_resume_point (name, window_start, resume_from, pages, records) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET window_start = EXCLUDED.window_start, resume_from = GREATEST(sync_resume_point.resume_from, EXCLUDED.resume_from),
         pages = EXCLUDED.pages, records = EXCLUDED.records, updated_at = now()`,
      [name, point.windowStart, point.resumeFrom, point.pages, point.records],
    );
  }

  /** The window is in: the watermark says so now. */
  async clear(name: string): Promise<void> {
    await this.dataSource.query('DELETE FROM sync_resume_point WHERE name = $1', [name]);
  }
}
