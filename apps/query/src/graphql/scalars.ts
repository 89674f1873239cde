import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const decimalPattern = /^-?\d+(\.\d+)?$/;

/** Exact decimals travel as strings both ways; a float would round money. */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  // The served schema takes scalar descriptions from here; keep them equal to schema.graphql (tested).
  description: 'An exact decimal number, sent as a string ("2.88475"): never a float.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !decimalPattern.test(value)) throw new GraphQLError('Decimal must be a string such as "12.50"');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !decimalPattern.test(ast.value)) throw new GraphQLError('Decimal must be a string such as "12.50"');
    return ast.value;
  },
});

/** Timestamps are kept as canonical strings end to end, so microseconds survive. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 UTC timestamp with microseconds kept ("2023-03-07T02:57:58.525100Z").',
  serialize: (value) => String(value),
  parseValue: (value) => String(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : null),
});
