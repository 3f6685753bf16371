/**
 * Exact decimal differences of JavaScript numbers, for rollup deltas. `5.3 - 2.1` in floating point
 * is 3.1999999999999997; DynamoDB adds decimals exactly, so we hand it the exact decimal difference
 * of the two numbers' shortest representations ("3.2") and the stored sums stay exact to the cent.
 */
import { NumberValue } from "@aws-sdk/lib-dynamodb";

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

/** The exact decimal `next - previous`, as a string DynamoDB reads without rounding. */
export function exactDifference(next: number, previous: number): string {
  const a = parse(next);
  const b = parse(previous);
  const exponent = Math.min(a.exponent, b.exponent);
  const scale = (d: Decimal) => d.digits * 10n ** BigInt(d.exponent - exponent);
  return format({ digits: scale(a) - scale(b), exponent });
}

/** The same difference as a DynamoDB number attribute value for the DocumentClient. */
export function exactDifferenceValue(next: number, previous: number): NumberValue {
  return NumberValue.from(exactDifference(next, previous));
}
