/**
 * Exact decimal differences of JavaScript numbers, for rollup deltas. `5.3 - 2.1` in floating point
 * is 3.1999999999999997; DynamoDB adds decimals exactly, so we hand it the exact decimal difference
 * of the two numbers' shortest representations ("3.2") and the stored sums stay exact to the cent.
 * A month's rollup moved by several days at once gets the exact difference of the sums.
 */
interface Decimal {
  /** value = digits * 10^exponent */
  digits: bigint;
  exponent: number;
}

function parse(value: number): Decimal {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`unexpected number format: ${value}`);
  const [, sign = "", whole = "0", fraction = "", exp = "0"] = match;
  return { digits: BigInt(`${sign}${whole}${fraction}`), exponent: Number(exp) - fraction.length };
}

function format({ digits, exponent }: Decimal): string {
  if (exponent >= 0) return (digits * 10n ** BigInt(exponent)).toString();
  const negative = digits < 0n;
  const text = (negative ? -digits : digits).toString().padStart(-exponent + 1, "0");
  const cut = text.length + exponent;
  const fraction = text.slice(cut).replace(/0+$/, "");
  return `${negative ? "-" : ""}${text.slice(0, cut)}${fraction ? `.${fraction}` : ""}`;
}

/** The exact decimal `sum(next) - sum(previous)`, as a string DynamoDB reads without rounding. */
export function exactSumDifference(next: readonly number[], previous: readonly number[]): string {
  const terms = [
    ...next.map((value) => ({ ...parse(value), sign: 1n })),
    ...previous.map((value) => ({ ...parse(value), sign: -1n })),
  ];
  const exponent = Math.min(0, ...terms.map((term) => term.exponent));
  const digits = terms.reduce(
    (sum, term) => sum + term.sign * term.digits * 10n ** BigInt(term.exponent - exponent),
    0n,
  );
  return format({ digits, exponent });
}

/** The exact decimal `next - previous`. */
export function exactDifference(next: number, previous: number): string {
  return exactSumDifference([next], [previous]);
}
