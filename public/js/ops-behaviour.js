// The behavioural (responsible gaming) alerts screen (compliance, operator, admin): what each
// player's own play raised (loss chasing, rising stakes, long sessions, night play, declined
// deposits), the level within the week and the intervention applied, filtered by player and rule.
import { formatDateTime, has, t } from "./i18n.js";
import { $, clear, el, table } from "./ui.js";

const ALERTS = "/v1/ops/rg/alerts";
const LIMIT = 200;
const MAX_LEVEL = 4;

const label = (prefix, value) => (has(`${prefix}${value}`) ? t(`${prefix}${value}`) : String(value ?? "–"));
export const behaviourRule = (rule) => label("ops.rg_rule.", rule);
export const intervention = (name) => label("ops.rg_intervention.", name);

export function behaviourScreen({ api, onSubmit, supports, unavailable }) {
  async function load() {
    const box = $("behaviour-list");
    if (!supports("GET", ALERTS)) return unavailable(box, `GET ${ALERTS}`);
    const form = $("behaviour-filter");
    const query = new URLSearchParams({ limit: String(LIMIT) });
    for (const name of ["player_id", "rule"]) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    const { alerts = [] } = await api.get(`${ALERTS}?${query}`);
    clear(box).append(el("p", { id: "behaviour-count", role: "status", text: alerts.length ? t("ops.rg_count", { count: alerts.length }) : t("ops.rg_empty") }));
    if (alerts.length >= LIMIT) box.append(el("p", { class: "hint", text: t("ops.rg_newest", { count: LIMIT }) }));
    if (!alerts.length) return undefined;
    box.append(table([t("ops.created"), t("ops.col_player"), t("ops.rule"), t("ops.level"), t("ops.intervention")],
      alerts.map((a) => [
        formatDateTime(a.created_at),
        el("a", { href: `#/players/${encodeURIComponent(a.player_id)}` }, el("code", { text: a.player_id })),
        behaviourRule(a.rule),
        t("ops.rg_level", { level: a.level, max: MAX_LEVEL }),
        a.intervention === "operator_review" ? el("strong", { class: "risk-high", text: intervention(a.intervention) }) : intervention(a.intervention),
      ]),
      { caption: t("ops.behaviour_title") }));
    return undefined;
  }

  function setup() {
    onSubmit($("behaviour-filter"), () => load());
  }

  return { setup, load };
}
