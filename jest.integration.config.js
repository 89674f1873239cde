// Integration and end-to-end suites: real Kafka and PostgreSQL from KAFKA_BROKERS / DATABASE_URL
// (`npm test` provides both). Files are named *.int-spec.ts and run one at a time.
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/apps/**/*.int-spec.ts', '<rootDir>/libs/**/*.int-spec.ts', '<rootDir>/tools/**/*.int-spec.ts'],
  testTimeout: 180_000,
};
