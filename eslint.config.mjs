import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const kafkaThroughTheLibrary = 'Reach Kafka through @earnings/kafka (runConsumer, BatchingProducer, MessageSender, the outbox relay): no kafkajs type in apps/ or tools/';
const kafkajsArrivals = [
  { selector: "CallExpression[callee.name='require'][arguments.0.value=/^kafkajs(\\/|$)/]", message: kafkaThroughTheLibrary },
  { selector: 'ImportExpression[source.value=/^kafkajs(\\/|$)/]', message: kafkaThroughTheLibrary },
  { selector: 'TSImportType[argument.literal.value=/^kafkajs(\\/|$)/]', message: kafkaThroughTheLibrary },
];

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
    // Kafka only through libs/kafka, which exports no kafkajs type: an app or tool hands the
    // consumer runner a handler and the producers its messages. Refused however kafkajs arrives:
    // an import, a subpath, require(), import() or an import type.
    files: ['apps/**', 'tools/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'kafkajs', message: kafkaThroughTheLibrary }],
        patterns: [{ group: ['kafkajs/*'], message: kafkaThroughTheLibrary }],
      }],
      'no-restricted-syntax': ['error', ...kafkajsArrivals],
    },
  },
  {
    // The library's face: nothing it exports may be a kafkajs type or value.
    files: ['libs/kafka/src/index.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: 'ExportAllDeclaration[source.value=/^kafkajs/]', message: 'libs/kafka exports no kafkajs type: wrap it (KafkaClient, Message, ConsumedMessage)' },
        { selector: 'ExportNamedDeclaration[source.value=/^kafkajs/]', message: 'libs/kafka exports no kafkajs type: wrap it (KafkaClient, Message, ConsumedMessage)' },
      ],
    },
  },
);
