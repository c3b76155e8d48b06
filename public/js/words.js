// An amount of money in words, as a cheque or a bank transfer confirmation writes it:
// 15050 centavos -> "cento e cinquenta reais e cinquenta centavos". The confirmation before a
// deposit or a withdrawal shows it, so a misplaced comma cannot hide a 100x mistake.

const PT_UNITS = ["zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove",
  "dez", "onze", "doze", "treze", "catorze", "quinze", "dezesseis", "dezessete", "dezoito", "dezenove"];
const PT_TENS = ["", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta", "noventa"];
const PT_HUNDREDS = ["", "cento", "duzentos", "trezentos", "quatrocentos", "quinhentos", "seiscentos",
  "setecentos", "oitocentos", "novecentos"];
const PT_SCALES = [null, ["mil", "mil"], ["milhão", "milhões"], ["bilhão", "bilhões"], ["trilhão", "trilhões"]];

function ptBelowThousand(n) {
  if (n === 100) return "cem";
  const parts = [];
  if (n >= 100) parts.push(PT_HUNDREDS[Math.floor(n / 100)]);
  const rest = n % 100;
  if (rest >= 20) {
    parts.push(PT_TENS[Math.floor(rest / 10)]);
    if (rest % 10) parts.push(PT_UNITS[rest % 10]);
  } else if (rest > 0) {
    parts.push(PT_UNITS[rest]);
  }
  return parts.join(" e ");
}

function ptNumber(n) {
  if (n === 0) return "zero";
  const groups = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 1000)) groups.push(rest % 1000);
  const words = [];
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i];
    if (g === 0) continue;
    let text;
    if (i === 0) text = ptBelowThousand(g);
    else if (i === 1) text = g === 1 ? "mil" : `${ptBelowThousand(g)} mil`;
    else text = `${ptBelowThousand(g)} ${PT_SCALES[i][g === 1 ? 0 : 1]}`;
    words.push({ text, group: g, index: i });
  }
  // "e" before the last group when it is below one hundred or a round hundred: "mil e cem",
  // "dois mil e cinquenta", but "mil duzentos e trinta e quatro".
  return words
    .map((w, k) => (k > 0 && k === words.length - 1 && (w.group < 100 || w.group % 100 === 0) ? `e ${w.text}` : w.text))
    .join(" ");
}

const EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
  "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const EN_SCALES = ["", "thousand", "million", "billion", "trillion"];

function enBelowThousand(n) {
  const parts = [];
  if (n >= 100) parts.push(`${EN_UNITS[Math.floor(n / 100)]} hundred`);
  const rest = n % 100;
  if (rest >= 20) parts.push(EN_TENS[Math.floor(rest / 10)] + (rest % 10 ? `-${EN_UNITS[rest % 10]}` : ""));
  else if (rest > 0) parts.push(EN_UNITS[rest]);
  return parts.join(" ");
}

function enNumber(n) {
  if (n === 0) return "zero";
  const words = [];
  let i = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 1000), i++) {
    const g = rest % 1000;
    if (g) words.unshift(EN_SCALES[i] ? `${enBelowThousand(g)} ${EN_SCALES[i]}` : enBelowThousand(g));
  }
  return words.join(" ");
}

/** The amount of `centavos` in words, in Portuguese or English. */
export function amountInWords(centavos, locale = "pt-BR") {
  if (!Number.isSafeInteger(centavos) || centavos < 0) throw new TypeError(`not an amount: ${centavos}`);
  const reais = Math.floor(centavos / 100);
  const cents = centavos % 100;
  const english = locale.startsWith("en");
  const number = english ? enNumber : ptNumber;
  const parts = [];
  if (reais > 0 || cents === 0) {
    let unit = reais === 1 ? "real" : "reais";
    // "um milhão de reais": a bare million, billion... takes "de".
    if (!english && reais >= 1_000_000 && reais % 1_000_000 === 0) unit = `de ${unit}`;
    parts.push(`${number(reais)} ${unit}`);
  }
  if (cents > 0) parts.push(`${number(cents)} ${cents === 1 ? "centavo" : "centavos"}`);
  return parts.join(english ? " and " : " e ");
}
