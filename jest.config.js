// One Jest config for the whole workspace. SWC compiles TypeScript (with decorator metadata, which
// NestJS dependency injection needs) far faster than ts-jest; `npm run typecheck` does the type checking.
const path = require('node:path');

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions], '^.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }] },
  // ES-module-only dependencies that CommonJS packages require (Node 20.19+ loads them as they are; Jest's module system does not): compiled to CommonJS for the tests.
  transformIgnorePatterns: ['/node_modules/(?!(@fastify/static/node_modules/)?content-disposition/)'],
  moduleNameMapper: { '^@earnings/(.*)$': path.join(__dirname, 'libs/$1/src/index.ts') },
  testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Integration suites start processes and wait on Kafka; they set their own longer timeouts.
  testTimeout: 30_000,
};
