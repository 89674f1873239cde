/** A three-letter currency code, any letter case (`usd` is `USD`); blank or padded is refused, never a default. */
const currencyCode = /^[A-Za-z]{3}$/;

export function currencyProblem(text: string): string | null {
  return currencyCode.test(text) ? null : 'is not a three-letter currency code';
}
