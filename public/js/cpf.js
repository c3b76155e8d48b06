// The CPF as docs/domain.md (section 4) defines it: 11 digits, two check digits, not all the same digit.

export function cpfDigits(text) {
  return String(text ?? "").replace(/\D/g, "");
}

function checkDigit(digits) {
  const weight = digits.length + 1;
  let total = 0;
  for (let i = 0; i < digits.length; i++) total += Number(digits[i]) * (weight - i);
  const r = (total * 10) % 11;
  return r === 10 ? 0 : r;
}

export function isValidCpf(text) {
  const d = cpfDigits(text);
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d)) return false;
  return checkDigit(d.slice(0, 9)) === Number(d[9]) && checkDigit(d.slice(0, 10)) === Number(d[10]);
}

/** 52998224725 -> 529.982.247-25 (as far as the digits go, for typing). */
export function formatCpf(text) {
  const d = cpfDigits(text).slice(0, 11);
  return d
    .replace(/^(\d{3})(\d)/, "$1.$2")
    .replace(/^(\d{3})\.(\d{3})(\d)/, "$1.$2.$3")
    .replace(/\.(\d{3})(\d{1,2})$/, ".$1-$2");
}
