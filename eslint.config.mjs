import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '.nx/**', 'scripts/**', '*.js', '*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Money is never a JS number: parseFloat on anything is a red flag in this codebase.
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'Money is decimal: use Decimal from @earnings/domain.' }],
    },
  },
  {
    // Consumer options, the outbox relay and dead letters are configured once, in libs/kafka.
    files: ['apps/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'kafkajs', message: 'Reach Kafka through @earnings/kafka (one consumer factory, one outbox relay, one dead-letter sender)' }],
      }],
    },
  },
);
