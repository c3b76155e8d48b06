// Money as the player types and reads it: exact integer centavos, never a float.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AmountError, formatAmountInput, formatBps, formatHundredths, formatMoney, parseAmount, parseHundredths,
} from "../../public/js/money.js";
import { amountInWords } from "../../public/js/words.js";

const reason = (fn) => {
  try { fn(); } catch (error) { assert.ok(error instanceof AmountError, error); return error.reason; }
  assert.fail("no error");
};

test("150,50 typed in Portuguese is exactly 15050 centavos", () => {
  assert.equal(parseAmount("150,50"), 15050);
  assert.equal(parseAmount("R$ 150,50"), 15050);
  assert.equal(parseAmount(" 150,5 "), 15050);
  assert.equal(parseAmount("150"), 15000);
});

test("Brazilian thousands separators are read in their places", () => {
  assert.equal(parseAmount("1.234,56"), 123456);
  assert.equal(parseAmount("R$\u00a01.234.567,89"), 123456789);
  assert.equal(parseAmount("1.234"), 123400);
  assert.equal(reason(() => parseAmount("12.34,56")), "format");
  assert.equal(reason(() => parseAmount("1.2345,00")), "format");
});

test("a dot used as the decimal comma is refused with a hint, never read as 100x", () => {
  assert.equal(reason(() => parseAmount("150.50")), "decimal_separator");
  assert.equal(reason(() => parseAmount("150.5")), "decimal_separator");
});

test("every value a float would round is exact", () => {
  assert.equal(parseAmount("0,29"), 29); // 0.29 * 100 = 28.999999999999996 in binary floats
  assert.equal(parseAmount("1.005,57"), 100557);
  assert.equal(parseAmount("10.000.000.000,00"), 10 ** 12);
});

test("signs, letters, three decimals, zero and amounts above 10^12 are refused", () => {
  assert.equal(reason(() => parseAmount("-5,00")), "negative");
  assert.equal(reason(() => parseAmount("abc")), "format");
  assert.equal(reason(() => parseAmount("1,234")), "too_many_decimals");
  assert.equal(reason(() => parseAmount("0,00")), "zero");
  assert.equal(parseAmount("0", "pt-BR", { allowZero: true }), 0);
  assert.equal(reason(() => parseAmount("")), "empty");
  assert.equal(reason(() => parseAmount("10.000.000.000,01")), "too_large");
  assert.equal(reason(() => parseAmount("1,2,3")), "format");
});

test("English uses the dot for decimals and the comma for thousands", () => {
  assert.equal(parseAmount("150.50", "en"), 15050);
  assert.equal(parseAmount("1,234.56", "en"), 123456);
  assert.equal(reason(() => parseAmount("150,50", "en")), "decimal_separator");
});

test("amounts are shown the Brazilian way in Portuguese", () => {
  assert.equal(formatMoney(123456).replace(/\s/g, " "), "R$ 1.234,56");
  assert.equal(formatMoney(15050).replace(/\s/g, " "), "R$ 150,50");
  assert.equal(formatMoney(5).replace(/\s/g, " "), "R$ 0,05");
  assert.equal(formatMoney(-2550).replace(/\s/g, " "), "-R$ 25,50");
  assert.equal(formatMoney(10 ** 12).replace(/\s/g, " "), "R$ 10.000.000.000,00");
  assert.equal(formatMoney(123456, "en"), "R$1,234.56");
});

test("formatting and parsing round-trip for every centavo up to R$ 100", () => {
  for (let c = 1; c <= 10000; c++) {
    assert.equal(parseAmount(formatMoney(c)), c);
    assert.equal(parseAmount(formatAmountInput(c)), c);
    assert.equal(parseAmount(formatMoney(c, "en"), "en"), c);
  }
});

test("multipliers in hundredths and RTP in basis points are shown exactly", () => {
  assert.equal(parseHundredths("2,50"), 250);
  assert.equal(parseHundredths("2"), 200);
  assert.equal(parseHundredths("1,01×"), 101);
  assert.equal(parseHundredths("2.5", "en"), 250);
  assert.throws(() => parseHundredths("2,505"), AmountError);
  assert.equal(formatHundredths(1_000_000), "10.000,00");
  assert.equal(formatBps(9700), "97,00%");
  assert.equal(formatBps(-35), "-0,35%");
  assert.equal(formatBps(9650, "en"), "96.50%");
});

test("the amount in words, as a confirmation writes it", () => {
  assert.equal(amountInWords(15050), "cento e cinquenta reais e cinquenta centavos");
  assert.equal(amountInWords(100), "um real");
  assert.equal(amountInWords(1), "um centavo");
  assert.equal(amountInWords(10000), "cem reais");
  assert.equal(amountInWords(123456), "mil duzentos e trinta e quatro reais e cinquenta e seis centavos");
  assert.equal(amountInWords(110000), "mil e cem reais");
  assert.equal(amountInWords(205000), "dois mil e cinquenta reais");
  assert.equal(amountInWords(100000000), "um milhão de reais");
  assert.equal(amountInWords(250000000), "dois milhões e quinhentos mil reais");
  assert.equal(amountInWords(0), "zero reais");
  assert.equal(amountInWords(15050, "en"), "one hundred fifty reais and fifty centavos");
  assert.equal(amountInWords(123456, "en"), "one thousand two hundred thirty-four reais and fifty-six centavos");
});
