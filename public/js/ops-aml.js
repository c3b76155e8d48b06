// The AML alerts screen (compliance, admin): the list with its filters (risk, status, rule,
// player), an alert's detail (the events that raised it, its COS draft) at #/aml/{alert_id},
// and its lifecycle: a reason, a confirmation, and the server's refusal in words.
import { isFinal, nextStatuses } from "./aml-lifecycle.js";
import { formatDateTime, has, t } from "./i18n.js";
import { $, clear, dialog, el, facts, notify, table } from "./ui.js";

const ALERTS = "/v1/ops/aml/alerts";

const label = (prefix, value) => (has(`${prefix}${value}`) ? t(`${prefix}${value}`) : String(value ?? "–"));
export const riskLabel = (risk) => label("ops.risk_", risk);
export const statusLabel = (status) => label("ops.st_", status);
export const ruleLabel = (rule) => label("ops.aml_rule.", rule);
export const riskBadge = (risk) => el("span", { class: `risk-${risk}`, text: riskLabel(risk) });

/** A wallet event type as the ledger names it (DEPOSIT) or as the rules engine does (deposit). */
function eventType(type) {
  const upper = String(type ?? "").toUpperCase();
  return has(`wallet.type.${upper}`) ? t(`wallet.type.${upper}`) : String(type ?? "–");
}

/** An instant as RFC 3339 or as epoch seconds (the rules engine's clock). */
function when(at) {
  return typeof at === "number" ? formatDateTime(new Date(at * 1000).toISOString()) : formatDateTime(at);
}

const MONEY_FACTS = new Set(["total", "threshold", "withdrawn", "deposited", "staked", "min_amount", "won"]);

/** A window of seconds in words: 1 hora, 7 dias, 10 minutos. */
function windowText(seconds) {
  if (seconds % 86400 === 0) return t("ops.window_days", { count: seconds / 86400 });
  if (seconds % 3600 === 0) return t("ops.window_hours", { count: seconds / 3600 });
  return t("ops.window_minutes", { count: Math.round(seconds / 60) });
}

/** Why the alert was raised, in the reader's language from its figures; the engine's English
 * sentence when the rule is one this console does not know. */
export function reasonText(alert, money) {
  const facts = alert.facts ?? {};
  const key = `ops.aml_reason.${alert.rule}`;
  if (!Object.keys(facts).length || !has(key)) return alert.reason || "–";
  const params = {};
  for (const [name, value] of Object.entries(facts)) {
    if (MONEY_FACTS.has(name) && Number.isSafeInteger(value)) params[name] = money(value);
    else if (name === "window_s" && Number.isSafeInteger(value)) params.window = windowText(value);
    else params[name] = value;
  }
  return t(key, params);
}

const playerLink = (playerId) => el("a", { href: `#/players/${encodeURIComponent(playerId)}` }, el("code", { text: playerId }));

export function amlScreen({ api, guarded, onSubmit, messageOf, UserError, supports, unavailable, money }) {
  let focusedId = null; // the alert whose detail took the focus (a reload of it does not again)
  const alertIdInHash = () => decodeURIComponent(location.hash.replace(/^#\/?/, "").split("/")[1] ?? "");

  function filters() {
    const form = $("aml-filter");
    const query = new URLSearchParams();
    for (const name of ["risk", "status", "rule", "player_id"]) {
      const value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    return query;
  }

  /** The rules are data (KV): a rule seen in an answer becomes a choice of the rule filter. */
  function rememberRules(alerts) {
    const select = $("aml-rule");
    const known = new Set([...select.options].map((o) => o.value));
    for (const rule of new Set(alerts.map((a) => a.rule))) {
      if (known.has(rule)) continue;
      const option = el("option", { value: rule, text: ruleLabel(rule) });
      if (has(`ops.aml_rule.${rule}`)) option.dataset.i18n = `ops.aml_rule.${rule}`;
      select.append(option);
    }
  }

  async function loadList() {
    const box = $("aml-list");
    const query = filters();
    const { alerts = [] } = await api.get(`${ALERTS}${query.size ? `?${query}` : ""}`);
    rememberRules(alerts);
    clear(box).append(el("p", { id: "aml-count", role: "status", text: alerts.length ? t("ops.aml_count", { count: alerts.length }) : t("ops.aml_empty") }));
    if (!alerts.length) return;
    const current = alertIdInHash();
    box.append(table(
      [t("ops.created"), t("ops.col_player"), t("ops.rule"), t("ops.score"), t("ops.risk"), t("ops.status"), t("ops.col_open")],
      alerts.map((a) => [
        formatDateTime(a.created_at), playerLink(a.player_id), ruleLabel(a.rule), String(a.score ?? "–"), riskBadge(a.risk), statusLabel(a.status),
        el("a", { href: `#/aml/${encodeURIComponent(a.alert_id)}`, "aria-current": a.alert_id === current ? "true" : null, dataset: { alert: a.alert_id }, text: t("ops.details") }),
      ]),
      { caption: t("ops.aml_title") }));
  }

  function cosText(cos) {
    if (!cos) return el("span", { text: t("ops.cos_none") });
    if (cos.status === "filed") return el("span", { text: t("ops.cos_filed") });
    const overdue = cos.due_by && Date.parse(cos.due_by) < Date.now();
    return el("span", { class: overdue ? "form-error" : null, text: t(overdue ? "ops.cos_overdue" : "ops.cos_draft", { due: formatDateTime(cos.due_by) }) });
  }

  function actionText(alert) {
    if (!alert.action) return t("ops.action_none");
    const action = t(`ops.action_${alert.action}`);
    return alert.status === "closed" ? t("ops.action_lifted", { action }) : action;
  }

  function lifecycle(alert) {
    const next = nextStatuses(alert.status);
    if (!next.length) {
      return el("p", { class: "callout", id: "aml-final", text: t(isFinal(alert.status) ? "ops.alert_final" : "ops.alert_no_moves", { status: statusLabel(alert.status) }) });
    }
    const form = el("form", { class: "form", id: "aml-move", novalidate: true, "aria-labelledby": "aml-move-title" },
      el("h3", { id: "aml-move-title", text: t("ops.move_title") }),
      el("label", { for: "aml-reason", text: t("ops.move_reason") }),
      el("textarea", { id: "aml-reason", name: "reason", required: true, maxlength: "2000", "aria-describedby": "aml-reason-hint" }),
      el("p", { id: "aml-reason-hint", class: "hint", text: t("ops.move_reason_hint") }),
      el("div", { class: "row-actions" }, next.map((status) => el("button", {
        type: "submit", name: "status", value: status, class: status === "reported" ? "danger" : status === "closed" ? "secondary" : null,
        text: t(`ops.move_action.${status}`),
      }))),
      el("p", { class: "form-error", role: "alert", hidden: true }));
    onSubmit(form, async (_, button) => {
      const status = button.value;
      const field = form.elements.reason;
      const reason = field.value.trim();
      if (!reason) {
        field.setAttribute("aria-invalid", "true");
        field.focus();
        throw new UserError(t("ops.move_needs_reason"));
      }
      field.removeAttribute("aria-invalid");
      let stale = false;
      const answer = await dialog({
        title: t("ops.move_confirm_title"),
        lines: [
          t("ops.move_confirm", { rule: ruleLabel(alert.rule), player: alert.player_id, from: statusLabel(alert.status), to: statusLabel(status) }),
          el("p", {}, el("strong", { text: `${t("ops.move_reason")}: ` }), reason),
          ...(status === "reported" ? [t("ops.move_report_warning")] : []),
          ...(isFinal(status) ? [t("ops.move_final")] : []),
        ],
        confirmLabel: t(`ops.move_action.${status}`),
        danger: status === "reported",
        // An empty answer (204) is still a move made: never taken for a cancel.
        action: async () => (await api.post(`${ALERTS}/${encodeURIComponent(alert.alert_id)}/status`, { status, reason })) ?? { status },
        errorText: (error) => {
          if (error?.code !== "illegal_transition") return messageOf(error);
          stale = true;
          return t("ops.illegal_transition", { to: statusLabel(status) });
        },
      });
      if (answer === null && !stale) return;
      if (answer !== null) notify(t("ops.moved", { status: statusLabel(answer.status ?? status) }));
      focusedId = null; // the form is drawn anew: the focus goes back to the alert's heading
      await load(); // where the alert is now (after a refusal too)
    });
    return form;
  }

  async function showAlert(id) {
    const box = $("aml-detail");
    const alert = await api.get(`${ALERTS}/${encodeURIComponent(id)}`);
    const heading = el("h2", { id: "aml-alert-title", tabindex: "-1", text: t("ops.alert_detail", { rule: ruleLabel(alert.rule) }) });
    const card = el("section", { class: "card", id: "aml-alert", "aria-labelledby": "aml-alert-title", dataset: { status: alert.status } }, heading);
    card.append(facts([
      [t("ops.alert_id"), el("code", { text: alert.alert_id })],
      [t("ops.col_player"), playerLink(alert.player_id)],
      [t("ops.rule"), ruleLabel(alert.rule)],
      [t("ops.score"), String(alert.score ?? "–")],
      [t("ops.risk"), riskBadge(alert.risk)],
      [t("ops.status"), el("span", { id: "aml-alert-status", text: statusLabel(alert.status) })],
      [t("ops.created"), formatDateTime(alert.created_at)],
      [t("ops.updated"), formatDateTime(alert.updated_at)],
      [t("ops.alert_reason"), el("span", { id: "aml-reason-text", text: reasonText(alert, money) })],
      ...(alert.status_reason ? [[t("ops.status_reason"), alert.status_reason]] : []),
      [t("ops.action"), el("span", { id: "aml-action", text: actionText(alert) })],
      [t("ops.cos"), el("span", { id: "aml-cos" }, cosText(alert.cos))],
    ]));
    const events = alert.events ?? [];
    card.append(el("h3", { text: t("ops.alert_events") }), events.length
      ? Object.assign(table([t("wallet.col_when"), t("wallet.col_type"), t("wallet.col_amount"), t("ops.col_event")],
        events.map((e) => [when(e.at), eventType(e.type), Number.isSafeInteger(e.amount) ? money(e.amount) : "–", el("code", { text: e.event_id ?? "–" })]),
        { caption: t("ops.alert_events") }), { id: "aml-events" })
      : el("p", { text: t("ops.alert_no_events") }));
    const history = alert.history ?? [];
    if (history.length) {
      card.append(el("h3", { text: t("ops.alert_history") }), Object.assign(table(
        [t("ops.col_when"), t("ops.col_status"), t("ops.col_reason"), t("ops.col_by")],
        history.map((h) => [formatDateTime(h.at), statusLabel(h.status), h.reason || "–", h.actor_id ? el("code", { text: h.actor_id }) : t("ops.system")]),
        { caption: t("ops.alert_history") }), { id: "aml-history" }));
    }
    card.append(lifecycle(alert));
    clear(box).append(card);
    if (focusedId !== id) heading.focus();
    focusedId = id;
  }

  async function load() {
    const box = $("aml-list");
    if (!supports("GET", ALERTS)) {
      clear($("aml-detail"));
      return unavailable(box, `GET ${ALERTS}`);
    }
    await loadList();
    const id = alertIdInHash();
    if (id) await guarded(() => showAlert(id), clear($("aml-detail")));
    else {
      clear($("aml-detail"));
      focusedId = null;
    }
    return undefined;
  }

  function setup() {
    onSubmit($("aml-filter"), () => load());
    $("aml-filter").addEventListener("reset", () => setTimeout(() => guarded(() => load(), $("aml-list"))));
  }

  return { setup, load };
}
