// The national exclusion list as the console reads it before sending: one CPF per row or a `cpf`
// column, comma or semicolon separated, header optional. Used for the preview when the server
// offers no dry run, and to refuse at once a file the server would refuse (docs/api.md: empty, no
// valid CPF, or more than 1% invalid rows).
import { cpfDigits, isValidCpf } from "./cpf.js";

export function parseExclusionCsv(text) {
  const lines = String(text ?? "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  let column = 0;
  if (lines.length && /[a-z]/i.test(lines[0])) {
    const header = lines[0].split(/[;,]/).map((c) => c.trim().replace(/^"|"$/g, "").toLowerCase());
    if (header.includes("cpf")) {
      column = header.indexOf("cpf");
      lines.shift();
    }
  }
  const valid = new Set();
  let invalid = 0;
  for (const line of lines) {
    const cells = line.split(/[;,]/).map((c) => c.trim().replace(/^"|"$/g, ""));
    // A punctuated CPF has no comma or semicolon, so the cell is the whole CPF.
    const cell = cells[column] ?? "";
    if (isValidCpf(cell)) valid.add(cpfDigits(cell));
    else invalid += 1;
  }
  const rows = lines.length;
  let refusal = null;
  if (valid.size === 0) refusal = "empty";
  else if (invalid * 100 > rows) refusal = "too_many_invalid";
  return { entries: valid.size, invalid_rows: invalid, rows, refusal };
}
