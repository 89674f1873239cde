import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const decimalPattern = /^-?\d+(\.\d+)?$/;

/** Exact decimals travel as strings both ways; a float would round money. */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
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
  serialize: (value) => String(value),
  parseValue: (value) => String(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : null),
});
