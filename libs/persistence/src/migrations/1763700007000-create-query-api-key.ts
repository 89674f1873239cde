import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partner API keys of the query service. Only a SHA-256 of the secret is stored: a key is a
 * long random string, so a fast hash is enough and a leaked table gives no usable key.
 */
export class CreateQueryApiKey1763700007000 implements MigrationInterface {
  name = 'CreateQueryApiKey1763700007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE query_api_key (
        name text PRIMARY KEY,
        secret_sha256 text NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT query_api_key_secret_unique UNIQUE (secret_sha256)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE query_api_key');
  }
}
