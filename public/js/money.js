// Money in the browser: amounts typed and shown as people write them, held as integer centavos.
// Parsing is exact (string digits to an integer, never a float); formatting hands Intl an exact
// decimal string, so R$ 1.234,56 is always 123456 centavos and back.

export const MAX_AMOUNT = 10 ** 12; // docs/api.md: money above 10^12 minor units is refused

const SEPARATORS = {
  "pt-BR": { decimal: ",", group: "." },
  en: { decimal: ".", group: "," },
};

export class AmountError extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason; // an i18n key under "amount."
  }
}

function separators(locale) {
  return SEPARATORS[locale] ?? SEPARATORS[locale?.split("-")[0]] ?? SEPARATORS["pt-BR"];
}

/** The integer number of centavos in `text` ("150,50" -> 15050 in pt-BR), or an AmountError.
 *  Accepts an optional "R$", spaces, group separators in their proper places, and at most two
 *  decimals; refuses signs, letters, a misplaced separator and zero unless `allowZero`. */
export function parseAmount(text, locale = "pt-BR", { allowZero = false } = {}) {
  const { decimal, group } = separators(locale);
  let s = String(text ?? "").replace(/\u00a0|\u202f/g, " ").trim();
  s = s.replace(/^R\$\s*/i, "").trim();
  if (s === "") throw new AmountError("empty");
  if (/^[-+]/.test(s)) throw new AmountError("negative");
  s = s.replace(/ /g, "");
  const parts = s.split(decimal);
  if (parts.length > 2) throw new AmountError("format");
  let [whole, fraction = null] = parts;
  if (fraction !== null && !/^\d{1,2}$/.test(fraction)) {
    throw new AmountError(/^\d+$/.test(fraction) ? "too_many_decimals" : "format");
  }
  if (whole === "") whole = "0";
  if (whole.includes(group)) {
    // 1.234.567 (pt-BR): groups of exactly three digits after the first group of one to three.
    const groups = whole.split(group);
    if (!/^\d{1,3}$/.test(groups[0]) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) {
      // "150.50" in pt-BR: a dot where the comma belongs.
      const misplacedDecimal = fraction === null && groups.length === 2 && /^\d+$/.test(groups[0]) && /^\d{1,2}$/.test(groups[1]);
      throw new AmountError(misplacedDecimal ? "decimal_separator" : "format");
    }
    whole = groups.join("");
  }
  if (!/^\d+$/.test(whole)) throw new AmountError("format");
  const centavos = BigInt(whole) * 100n + BigInt((fraction ?? "").padEnd(2, "0") || "0");
  if (centavos > BigInt(MAX_AMOUNT)) throw new AmountError("too_large");
  if (centavos === 0n && !allowZero) throw new AmountError("zero");
  return Number(centavos);
}

/** The exact decimal string of an integer number of centavos: 15050 -> "150.50". */
export function decimalString(centavos) {
  if (!Number.isSafeInteger(centavos)) throw new TypeError(`not an integer amount: ${centavos}`);
  const sign = centavos < 0 ? "-" : "";
  const abs = Math.abs(centavos);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

const currencyFormats = new Map();

/** R$ 1.234,56 (pt-BR) or R$1,234.56 (en) for 123456 centavos. */
export function formatMoney(centavos, locale = "pt-BR", currency = "BRL") {
  const key = `${locale}|${currency}`;
  if (!currencyFormats.has(key)) {
    currencyFormats.set(key, new Intl.NumberFormat(locale, { style: "currency", currency }));
  }
  // An exact decimal string: Intl formats it digit for digit (no binary float on the way).
  return currencyFormats.get(key).format(decimalString(centavos));
}

/** The amount as it is typed back into a field: 123456 -> "1.234,56" (pt-BR), "1,234.56" (en). */
export function formatAmountInput(centavos, locale = "pt-BR") {
  return formatHundredths(centavos, locale);
}

/** A multiplier held in hundredths (Limbo's target_multiplier_x100): "2,50" -> 250. */
export function parseHundredths(text, locale = "pt-BR") {
  const { decimal } = separators(locale);
  const s = String(text ?? "").trim().replace(/[x×]$/i, "").trim();
  const match = new RegExp(`^(\\d{1,7})(?:\\${decimal}(\\d{1,2}))?$`).exec(s);
  if (!match) throw new AmountError("format");
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0") || "0");
}

/** 250 -> "2,50" (pt-BR): hundredths shown exactly. */
export function formatHundredths(x100, locale = "pt-BR") {
  const { decimal, group } = separators(locale);
  const whole = String(Math.trunc(x100 / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${whole}${decimal}${String(x100 % 100).padStart(2, "0")}`;
}

/** Basis points as a percentage, exactly: 9700 -> "97,00%" (pt-BR). */
export function formatBps(bps, locale = "pt-BR") {
  const sign = bps < 0 ? "-" : "";
  return `${sign}${formatHundredths(Math.abs(bps), locale)}%`;
}
