import { IsBoolean, IsInt, Matches, Max, Min } from 'class-validator';
import { ConfigError, loadConfig, splitList } from '../load-config';

class ExampleConfig {
  @IsInt() @Min(1) @Max(65535)
  EXAMPLE_PORT = 3001;

  @Matches(/^postgres:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL = '';

  @IsBoolean()
  GRAPHIQL = false;
}

describe('configuration from environment variables', () => {
  it('uses defaults and converts provided values to the default types', () => {
    const config = loadConfig(ExampleConfig, { DATABASE_URL: 'postgres://db/x', EXAMPLE_PORT: '4000', GRAPHIQL: 'true' });
    expect(config).toEqual(Object.assign(new ExampleConfig(), { EXAMPLE_PORT: 4000, DATABASE_URL: 'postgres://db/x', GRAPHIQL: true }));
  });

  it('names every bad variable, showing values only when they are not secrets', () => {
    let error: unknown;
    try {
      loadConfig(ExampleConfig, { EXAMPLE_PORT: 'eighty', DATABASE_URL: 'mysql://user:hunter2@db/x', GRAPHIQL: 'yes' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('EXAMPLE_PORT');
    expect(message).toContain('(got "eighty")');
    expect(message).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(message).not.toContain('hunter2');
    expect(message).toContain('GRAPHIQL');
  });

  it('splits comma-separated lists', () => {
    expect(splitList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
  });
});
