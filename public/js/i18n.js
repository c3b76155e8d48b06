// pt-BR first, English second: the dictionaries (one file per page bundle and language, only
// the languages in use are loaded), plural rules (Intl.PluralRules), dates in the player's own
// time zone (Intl.DateTimeFormat) and error codes turned into sentences.

export const LOCALES = ["pt-BR", "en"];
const STORAGE_KEY = "locale";
let current = LOCALES.includes(localStorage.getItem(STORAGE_KEY)) ? localStorage.getItem(STORAGE_KEY) : "pt-BR";
const listeners = new Set();
const MESSAGES = {};
let bundles = ["site"];

function merge(target, source) {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === "object" && !("other" in value) && target[key] && typeof target[key] === "object") {
      merge(target[key], value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

async function load(lang) {
  if (MESSAGES[lang]) return;
  const parts = await Promise.all(bundles.map((name) => import(`./messages/${name}.${lang}.js`)));
  MESSAGES[lang] = parts.reduce((all, part) => merge(all, part.default), {});
}

/** Load the dictionaries of `names` (e.g. ["site", "ops"]) and translate the page. */
export async function initI18n(names = ["site"]) {
  bundles = names;
  await load("pt-BR");
  if (current !== "pt-BR") await load(current);
  applyI18n();
}

export const locale = () => current;

export async function setLocale(next) {
  if (!LOCALES.includes(next) || next === current) return;
  await load(next);
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  applyI18n();
  for (const listener of listeners) listener(next);
}

export function onLocaleChange(listener) {
  listeners.add(listener);
}

function lookup(key, lang) {
  return key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), MESSAGES[lang]);
}

/** The sentence for `key`, with {name} placeholders filled; a {one, other} entry is chosen by
 *  the plural rules of the language for `params.count`. */
export function t(key, params = {}) {
  let entry = lookup(key, current) ?? lookup(key, "pt-BR");
  if (entry && typeof entry === "object" && "other" in entry) {
    const rule = new Intl.PluralRules(current).select(Number(params.count ?? 0));
    entry = entry[rule] ?? entry.other;
  }
  if (typeof entry !== "string") return key;
  return entry.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? `{${name}}`).toString());
}

export const has = (key) => typeof lookup(key, current) === "string" || typeof lookup(key, "pt-BR") === "string";

/** Fill every [data-i18n] element's text and every [data-i18n-attr] attribute ("attr=key;..."). */
export function applyI18n(root = document) {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.split(";")) {
      const [attribute, key] = pair.split("=");
      if (attribute && key) element.setAttribute(attribute.trim(), t(key.trim()));
    }
  }
  const title = document.querySelector("meta[name=page-title]")?.content;
  if (title) document.title = t(title);
}

const dateFormats = new Map();
function dateFormat(options) {
  const key = `${current}|${JSON.stringify(options)}`;
  if (!dateFormats.has(key)) dateFormats.set(key, new Intl.DateTimeFormat(current, options));
  return dateFormats.get(key);
}

/** An RFC 3339 UTC instant in the player's locale and time zone: 02/12/2026, 09:00. */
export function formatDateTime(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return dateFormat({ dateStyle: "short", timeStyle: "short" }).format(date);
}

export function formatDate(iso) {
  if (!iso) return "–";
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateFormat({ dateStyle: "long" }).format(date);
}

export function formatNumber(value) {
  return new Intl.NumberFormat(current).format(value);
}

/** A sentence for an API error: its `code` in the player's language, else a plain fallback. */
export function errorMessage(error) {
  const code = error?.code ?? error?.problem?.code;
  if (code && has(`error.${code}`)) return t(`error.${code}`, { retry: error?.retryAfter ?? "" });
  if (error?.status >= 500) return t("error.server");
  return t("error.unknown");
}
