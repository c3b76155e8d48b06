// Writes workers/casino/common_passwords.py: the blocklist the password policy checks, taken from
// two pinned, maintained npm packages (zxcvbn-ts's frequency-ordered lists of leaked passwords and
// of common Brazilian Portuguese words). Committed, so the Worker ships it as a Python module;
// tests/unit/test_password_policy.py checks that it is exactly what this script makes.
//
//   node scripts/build_password_blocklist.mjs [--check]
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = path.join(root, "workers/casino/common_passwords.py");
const TOP_PASSWORDS = 10_000;
const TOP_PT_BR_WORDS = 2_000;
const MIN_LENGTH = 4;

const load = (name, file) => {
  const value = require(`${name}/dist/${file}`);
  return Array.isArray(value) ? value : value.default;
};
const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;

const passwords = load("@zxcvbn-ts/language-common", "passwords.json.cjs").slice(0, TOP_PASSWORDS);
const words = load("@zxcvbn-ts/language-pt-br", "commonWords.json.cjs").slice(0, TOP_PT_BR_WORDS);
const entries = [...new Set([...passwords, ...words].map((w) => String(w).toLowerCase().normalize("NFC")))]
  .filter((w) => w.length >= MIN_LENGTH && /^\S+$/.test(w) && !/["\\]/.test(w))
  .sort();

const text = `"""Common passwords and words a password may not be built on (generated: do not edit).

Made by scripts/build_password_blocklist.mjs from the ${TOP_PASSWORDS} most frequent leaked passwords of
@zxcvbn-ts/language-common ${version("@zxcvbn-ts/language-common")} and the ${TOP_PT_BR_WORDS} most common words of
@zxcvbn-ts/language-pt-br ${version("@zxcvbn-ts/language-pt-br")}, lower-cased, at least ${MIN_LENGTH} characters.
"""

COMMON = frozenset(
    """
${entries.join("\n")}
""".split()
)
`;

if (process.argv.includes("--check")) {
  const current = readFileSync(target, "utf8");
  if (current !== text) {
    console.error(`${target} is not what scripts/build_password_blocklist.mjs makes`);
    process.exit(1);
  }
  console.log(`${target} is up to date (${entries.length} entries)`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${entries.length} entries)`);
}
