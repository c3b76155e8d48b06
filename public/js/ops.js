// The staff console: login with a second factor, then one section per duty, shown by role
// (kyc_reviewer, compliance, operator, admin). Endpoints the server does not offer yet are
// detected from its OpenAPI document and said so, instead of failing.
import { ApiError, createClient, isMissingEndpoint } from "./api.js";
import { parseExclusionCsv } from "./exclusion-list.js";
import { applyI18n, errorMessage, formatDateTime, initI18n, locale, setLocale, t } from "./i18n.js";
import { formatBps, formatHundredths, formatMoney, parseHundredths } from "./money.js";
import { amlScreen } from "./ops-aml.js";
import { behaviourScreen } from "./ops-behaviour.js";
import { reportsScreen } from "./ops-reports.js";
import { $, busy, clear, dialog, dialogMarkup, el, facts, formError, notify, setupNotice, table } from "./ui.js";

// Which sections each role sees (the server's permission table decides; this only avoids
// showing a section that would answer 403).
const TABS = ["kyc", "aml", "behaviour", "games", "players", "exclusions", "reports", "alerts", "account"];
const ROLE_TABS = {
  kyc_reviewer: ["kyc", "account"],
  compliance: ["kyc", "aml", "behaviour", "players", "reports", "account"],
  operator: ["games", "behaviour", "players", "exclusions", "alerts", "account"],
  admin: TABS,
};
const CAN_DECIDE_KYC = new Set(["kyc_reviewer", "admin"]);
const Z99 = 2.576;

const api = createClient({ storageKey: "casino.staff", onSessionEnded: () => sessionEnded() });
let openapi = null;
let staffEmail = "";

const money = (c) => formatMoney(c, locale());
const bps = (v) => (v === null || v === undefined ? "–" : formatBps(v, locale()));
const messageOf = (error) => (error?.code === "forbidden" ? t("ops.forbidden") : isMissingEndpoint(error) ? t("common.unavailable") : errorMessage(error));

function role() {
  return api.claims.role ?? "";
}

function tabsFor(r) {
  // An unknown role (a future one) sees every section; the server still decides.
  return ROLE_TABS[r] ?? TABS;
}

async function loadOpenApi() {
  if (openapi) return openapi;
  try {
    const response = await fetch("/openapi.json", { cache: "no-store" });
    openapi = response.ok ? await response.json() : { paths: null };
  } catch {
    openapi = { paths: null };
  }
  return openapi;
}

/** Whether the server documents `method path` (a path template as in the OpenAPI document). */
function supports(method, path) {
  if (!openapi?.paths) return true; // no document: try, and handle the answer
  return Boolean(openapi.paths[path]?.[method.toLowerCase()]);
}

function supportsQuery(method, path, name) {
  if (!openapi?.paths) return true;
  const params = openapi.paths[path]?.[method.toLowerCase()]?.parameters ?? [];
  return params.some((p) => p.name === name);
}

function schemaHas(method, path, property) {
  if (!openapi?.paths) return false;
  const body = openapi.paths[path]?.[method.toLowerCase()]?.requestBody?.content?.["application/json"]?.schema;
  const resolve = (s) => (s?.$ref ? openapi.components?.schemas?.[s.$ref.split("/").pop()] : s);
  return Boolean(resolve(body)?.properties?.[property]);
}

function unavailable(box, path) {
  clear(box).append(el("p", { class: "callout", text: t("ops.unavailable", { path }) }));
}

async function guarded(action, box = null) {
  try {
    return await action();
  } catch (error) {
    if (error?.code === "session_ended") return undefined;
    if (box) clear(box).append(el("p", { class: "form-error", role: "alert", text: messageOf(error) }));
    else notify(messageOf(error), "error");
    return undefined;
  }
}

function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter ?? form.querySelector("button[type=submit]");
    formError(form, "");
    await busy(button, async () => {
      try {
        await handler(form, button);
      } catch (error) {
        if (error?.code !== "session_ended") formError(form, error instanceof UserError ? error.message : messageOf(error));
      }
    });
  });
}
class UserError extends Error {}

// ------------------------------------------------------------------ login and navigation

function sessionEnded() {
  notify(t("login.session_ended"), "error");
  show();
}

function setupLogin() {
  onSubmit($("ops-login"), async (form) => {
    const body = { email: form.elements.email.value.trim(), password: form.elements.password.value };
    if (!$("ops-otp-row").hidden) {
      if (form.elements.otp.value.trim()) body.otp = form.elements.otp.value.trim();
      else if (form.elements.recovery_code.value.trim()) body.recovery_code = form.elements.recovery_code.value.trim();
    }
    try {
      await api.login(body);
    } catch (error) {
      if (error instanceof ApiError && error.code === "mfa_required") {
        $("ops-otp-row").hidden = false;
        form.elements.otp.focus();
        throw new UserError(t("ops.otp_needed"));
      }
      throw error;
    }
    staffEmail = body.email;
    sessionStorage.setItem("casino.staff.email", staffEmail);
    form.reset();
    $("ops-otp-row").hidden = true;
    const target = `#/${tabsFor(role())[0]}`;
    if (location.hash !== target) location.hash = target; // hashchange shows it
    else await show();
  });
  $("logout").addEventListener("click", async () => {
    await api.logout();
    notify(t("login.logged_out"));
    location.hash = "";
    await show();
  });
}

// The compliance screens live in their own modules, handed what every screen shares.
const screen = { api, guarded, onSubmit, messageOf, UserError, supports, unavailable, money };
const aml = amlScreen(screen);
const behaviour = behaviourScreen(screen);
const reports = reportsScreen(screen);

const LOADERS = {
  kyc: loadKyc, aml: aml.load, behaviour: behaviour.load, games: loadGames, players: preparePlayers,
  exclusions: prepareExclusions, reports: reports.load, alerts: loadAlerts, account: () => null,
};

async function show() {
  const loggedIn = api.loggedIn;
  $("ops-auth").hidden = loggedIn;
  $("console").hidden = !loggedIn;
  $("logout").hidden = !loggedIn;
  const chip = $("staff-chip");
  chip.hidden = !loggedIn;
  if (!loggedIn) return;
  await loadOpenApi();
  const r = role();
  staffEmail = staffEmail || sessionStorage.getItem("casino.staff.email") || "";
  chip.textContent = t("ops.role", { email: staffEmail || api.claims.sub || "", role: t(`ops.roles.${r}`) === `ops.roles.${r}` ? r : t(`ops.roles.${r}`) });
  const allowed = tabsFor(r);
  let name = location.hash.replace(/^#\/?/, "").split("/")[0];
  if (!allowed.includes(name)) name = allowed[0];
  clear($("tabs")).append(...allowed.map((tab) => el("li", {}, el("a", { href: `#/${tab}`, "aria-current": tab === name ? "page" : null, text: t(`ops.tab.${tab}`) }))));
  for (const view of document.querySelectorAll("#console .view")) view.hidden = view.dataset.view !== name;
  await guarded(() => LOADERS[name]());
}

// ------------------------------------------------------------------ KYC

async function loadKyc() {
  const status = $("kyc-status-filter").value;
  const box = $("kyc-queue");
  const { players } = await api.get(`/v1/ops/kyc?status=${encodeURIComponent(status)}`);
  clear(box);
  if (!players.length) {
    box.append(el("p", { text: t("ops.kyc_empty") }));
    return;
  }
  const canDecide = CAN_DECIDE_KYC.has(role()) || !ROLE_TABS[role()];
  box.append(table([t("ops.col_player"), t("ops.col_submitted"), t("ops.col_documents"), t("ops.col_decision")], players.map((p) => {
    const docs = el("div", { class: "row-actions" }, p.documents.map((d) => el("button", {
      type: "button", class: "secondary small", text: t("ops.view_doc", { doc: t(`doc.${d.doc_type}`) }),
      onclick: (event) => busy(event.currentTarget, () => guarded(() => previewDocument(p, d))),
    })));
    const reasonId = `reason-${p.player_id}`;
    const reason = el("input", { id: reasonId, name: "reason", autocomplete: "off" });
    const decide = (decision) => async (event) => {
      if (decision === "reject" && !reason.value.trim()) {
        notify(t("ops.reject_needs_reason"), "error");
        reason.focus();
        return;
      }
      await busy(event.currentTarget, () => guarded(async () => {
        const answer = await api.post(`/v1/ops/kyc/${p.player_id}/decision`, { decision, reason: reason.value.trim() });
        notify(t("ops.decided", { email: p.email, status: t(`kyc.state.${answer.kyc_status}`) }));
        await loadKyc();
      }));
    };
    const decision = canDecide
      ? el("div", { class: "form" },
        el("label", { for: reasonId, text: t("ops.reason") }), reason,
        el("div", { class: "row-actions" },
          el("button", { type: "button", class: "small", text: t("ops.approve"), onclick: decide("approve") }),
          el("button", { type: "button", class: "small danger", text: t("ops.reject"), onclick: decide("reject") })))
      : el("span", { text: t(`kyc.state.${p.kyc_status}`) });
    return [
      el("div", {}, el("strong", { text: p.full_name }), el("br"), p.email, el("br"),
        el("a", { href: `#/players/${p.player_id}`, text: t("ops.open_player") })),
      formatDateTime(p.submitted_at), docs, decision,
    ];
  }), { caption: t("ops.kyc_title") }));
}

let previewUrl = null;
async function previewDocument(player, doc) {
  const response = await api.get(`/v1/ops/kyc/documents/${doc.document_id}`, { raw: true });
  const blob = await response.blob();
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(blob);
  const box = clear($("kyc-preview"));
  const title = t("ops.preview_title", { doc: t(`doc.${doc.doc_type}`), email: player.email });
  box.append(el("h2", { text: title }));
  if ((blob.type || doc.content_type).startsWith("image/")) {
    box.append(el("img", { class: "doc-preview", src: previewUrl, alt: title }));
  }
  box.append(el("p", {}, el("a", { href: previewUrl, download: doc.filename, text: t("ops.preview_pdf", { name: doc.filename }) })));
  box.scrollIntoView({ block: "nearest" });
}

// ------------------------------------------------------------------ games and RTP

/** The 99% band around the RTP the rounds should give, from the stats' own z-score:
 *  z = (actual - expected) / sd, so sd = (actual - expected) / z (in RTP units). */
export function confidenceBand(stats) {
  if (!stats.total_staked || stats.expected_rtp_bps === null || stats.z_score === null) return null;
  if (Number.isFinite(stats.ci99_low_bps) && Number.isFinite(stats.ci99_high_bps)) return { low: stats.ci99_low_bps, high: stats.ci99_high_bps };
  const actualExact = (stats.total_paid * 10000) / stats.total_staked;
  if (!stats.z_score) return null;
  const sdBps = Math.abs((actualExact - stats.expected_rtp_bps) / stats.z_score);
  if (!Number.isFinite(sdBps) || sdBps === 0) return null;
  // An RTP cannot be negative: the band is cut at zero (few rounds give a very wide band).
  return { low: Math.max(0, Math.round(stats.expected_rtp_bps - Z99 * sdBps)), high: Math.round(stats.expected_rtp_bps + Z99 * sdBps) };
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  for (const child of children) node.append(child);
  return node;
}

function rtpChart(game, stats) {
  const band = confidenceBand(stats);
  const values = [stats.target_rtp_bps, stats.actual_rtp_bps, stats.expected_rtp_bps, band?.low, band?.high].filter(Number.isFinite);
  const lo = Math.max(0, Math.min(...values) - 100);
  const hi = Math.max(...values) + 100;
  const x = (v) => 20 + ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo || 1)) * 360;
  const anchor = (v) => (x(v) < 80 ? "start" : x(v) > 320 ? "end" : "middle");
  const id = `chart-${game.game_id}`;
  const description = band
    ? t("ops.chart_desc", { target: bps(stats.target_rtp_bps), expected: bps(stats.expected_rtp_bps), low: bps(band.low), high: bps(band.high), actual: bps(stats.actual_rtp_bps) })
    : t("ops.chart_no_band");
  const chart = svg("svg", { class: "chart", viewBox: "0 0 400 110", role: "img", "aria-labelledby": `${id}-t ${id}-d` },
    svg("title", { id: `${id}-t` }, t("ops.chart_title", { game: game.name })),
    svg("desc", { id: `${id}-d` }, description),
    svg("line", { class: "axis", x1: 20, x2: 380, y1: 70, y2: 70 }),
    svg("text", { x: 20, y: 88 }, bps(lo)),
    svg("text", { x: 380, y: 88, "text-anchor": "end" }, bps(hi)));
  if (band) {
    chart.append(svg("rect", { class: "band", x: x(band.low), y: 25, width: Math.max(1, x(band.high) - x(band.low)), height: 40 }));
    chart.append(svg("line", { class: "expected", x1: x(stats.expected_rtp_bps), x2: x(stats.expected_rtp_bps), y1: 22, y2: 68 }));
  }
  chart.append(svg("line", { class: "target", x1: x(stats.target_rtp_bps), x2: x(stats.target_rtp_bps), y1: 18, y2: 70 }));
  chart.append(svg("text", { x: x(stats.target_rtp_bps), y: 14, "text-anchor": anchor(stats.target_rtp_bps) }, `${t("ops.legend_target")} ${bps(stats.target_rtp_bps)}`));
  if (Number.isFinite(stats.actual_rtp_bps)) {
    chart.append(svg("circle", { class: "actual", cx: x(stats.actual_rtp_bps), cy: 45, r: 6 }));
    chart.append(svg("text", { x: x(stats.actual_rtp_bps), y: 104, "text-anchor": anchor(stats.actual_rtp_bps) }, `${t("ops.legend_actual")} ${bps(stats.actual_rtp_bps)}`));
  }
  return el("figure", {}, chart, el("figcaption", { class: "hint", text: description }));
}

async function loadGames() {
  const box = document.createDocumentFragment();
  const { games } = await api.get("/v1/games");
  const perJurisdiction = schemaHas("PUT", "/v1/ops/games/{game_id}/rtp", "jurisdiction");
  for (const game of games) {
    const [stats, history] = await Promise.all([
      api.get(`/v1/ops/games/${game.game_id}/stats`),
      api.get(`/v1/ops/games/${game.game_id}/rtp/history`).catch(() => ({ changes: [] })),
    ]);
    const card = el("section", { class: "card", "aria-labelledby": `game-${game.game_id}`, dataset: { game: game.game_id } });
    card.append(el("h2", { id: `game-${game.game_id}`, text: `${game.name} · ${t("ops.current_rtp")} ${bps(game.rtp_bps)}` }));
    card.append(facts([
      [t("ops.rounds"), String(stats.rounds)], [t("ops.staked"), money(stats.total_staked)], [t("ops.paid"), money(stats.total_paid)],
      [t("ops.actual"), bps(stats.actual_rtp_bps)], [t("ops.expected"), bps(stats.expected_rtp_bps)], [t("ops.deviation"), bps(stats.deviation_bps)],
      [t("ops.z"), stats.z_score === null ? "–" : new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(stats.z_score)],
      [t("ops.flagged"), stats.flagged ? t("common.yes") : t("common.no")],
    ]));
    card.append(rtpChart(game, stats));
    const low = 8000;
    const high = 9900;
    const form = el("form", { class: "form", novalidate: true },
      el("label", { for: `rtp-${game.game_id}`, text: t("ops.new_rtp") }),
      el("input", { id: `rtp-${game.game_id}`, name: "rtp", inputmode: "decimal", autocomplete: "off", value: formatHundredths(game.rtp_bps, locale()), "aria-describedby": `rtp-${game.game_id}-hint` }),
      el("p", { id: `rtp-${game.game_id}-hint`, class: "hint", text: t("ops.new_rtp_hint", { min: bps(low), max: bps(high) }) }),
      perJurisdiction
        ? el("div", { class: "form" }, el("label", { for: `jur-${game.game_id}`, text: t("ops.jurisdiction") }),
          el("select", { id: `jur-${game.game_id}`, name: "jurisdiction" }, el("option", { value: "", text: t("ops.jurisdiction_default") }), el("option", { value: "BR", text: "BR" }), el("option", { value: "generic", text: "generic" })))
        : el("p", { class: "hint", text: t("ops.jurisdiction_fixed") }),
      el("button", { type: "submit", text: t("ops.save_rtp") }),
      el("p", { class: "form-error", role: "alert", hidden: true }));
    onSubmit(form, async () => {
      let rtp;
      try {
        rtp = parseHundredths(form.elements.rtp.value.replace("%", ""), locale());
      } catch {
        throw new UserError(t("ops.rtp_invalid"));
      }
      const jurisdiction = perJurisdiction ? form.elements.jurisdiction.value : "";
      const body = jurisdiction ? { rtp_bps: rtp, jurisdiction } : { rtp_bps: rtp };
      const answer = await dialog({
        title: t("ops.rtp_confirm_title"),
        lines: [t("ops.rtp_confirm", { game: game.name, from: bps(game.rtp_bps), to: bps(rtp), jurisdiction: jurisdiction || t("ops.jurisdiction_default") })],
        confirmLabel: t("ops.save_rtp"),
        action: () => api.put(`/v1/ops/games/${game.game_id}/rtp`, body),
        errorText: messageOf,
      });
      if (answer === null) return;
      notify(t("ops.rtp_saved", { game: game.name, to: bps(answer.rtp_bps) }));
      await loadGames();
    });
    card.append(form);
    card.append(el("h3", { text: t("ops.history") }));
    const changes = history.changes ?? [];
    card.append(changes.length
      ? table([t("ops.col_when"), t("ops.col_change"), t("ops.col_by"), t("ops.col_source")],
        changes.map((c) => [formatDateTime(c.changed_at), `${bps(c.old_rtp_bps)} → ${bps(c.new_rtp_bps)}${c.jurisdiction ? ` (${c.jurisdiction})` : ""}`, c.changed_by, c.source]),
        { caption: `${t("ops.history")}: ${game.name}` })
      : el("p", { text: t("ops.no_history") }));
    box.append(card);
  }
  clear($("games-list")).append(box);
}

// ------------------------------------------------------------------ players

function preparePlayers() {
  const search = supports("GET", "/v1/ops/players");
  $("player-lookup").querySelector("label").textContent = t(search ? "ops.lookup_label_search" : "ops.lookup_label");
  $("lookup-hint").textContent = t(search ? "ops.lookup_hint_search" : "ops.lookup_hint_id");
  const id = location.hash.split("/")[2];
  if (id) {
    $("lookup-query").value = decodeURIComponent(id);
    return guarded(() => lookupPlayer(decodeURIComponent(id)), $("player-result"));
  }
  return undefined;
}

async function lookupPlayer(query) {
  const box = clear($("player-result"));
  let playerId = query;
  if (!/^[0-9a-f-]{36}$/i.test(query) && supports("GET", "/v1/ops/players")) {
    const { players = [] } = await api.get(`/v1/ops/players?q=${encodeURIComponent(query)}`);
    if (players.length !== 1) {
      box.append(el("div", { class: "card" }, el("h2", { text: t("ops.search_results") }),
        players.length ? el("ul", {}, players.map((p) => el("li", {}, el("a", { href: `#/players/${p.player_id}`, text: `${p.full_name ?? ""} <${p.email ?? ""}>` }))))
          : el("p", { text: t("error.not_found") })));
      return;
    }
    playerId = players[0].player_id;
  }
  const audit = await api.get(`/v1/ops/players/${encodeURIComponent(playerId)}/wallet/audit`);
  box.append(el("section", { class: "card", id: "player-audit" }, el("h2", { text: t("ops.audit_title") }), facts([
    [t("ops.player_id"), el("code", { text: audit.player_id ?? playerId })],
    [t("ops.audit_events"), String(audit.events)],
    [t("ops.audit_replayed"), money(audit.replayed_balance)],
    [t("ops.audit_stored"), money(audit.stored_balance)],
    [t("ops.audit_consistent"), audit.consistent ? t("common.yes") : t("common.no")],
    [t("ops.audit_last_seq"), String(audit.last_seq ?? "–")],
    [t("ops.audit_projected"), String(audit.d1_projected_seq)],
    ...(audit.first_error ? [[t("ops.audit_error"), audit.first_error]] : []),
  ])));
  const timeline = el("section", { class: "card" }, el("h2", { text: t("ops.timeline_title") }));
  const timelinePath = "/v1/ops/players/{player_id}/wallet/events";
  if (supports("GET", timelinePath)) {
    const page = await api.get(`/v1/ops/players/${encodeURIComponent(playerId)}/wallet/events?after_seq=0&limit=200`);
    timeline.append(table([t("wallet.col_when"), "seq", t("wallet.col_type"), t("wallet.col_amount"), t("wallet.col_balance"), "ref"],
      (page.events ?? []).map((e) => [formatDateTime(e.created_at), String(e.seq), t(`wallet.type.${e.type}`), money(e.amount), money(e.balance_after), e.ref])));
  } else {
    timeline.append(el("p", { class: "callout", text: t("ops.unavailable", { path: `GET ${timelinePath}` }) }));
  }
  box.append(timeline);
  // Staff actions on this player: the audit log filtered by subject.
  const staff = el("section", { class: "card", id: "player-staff-audit" }, el("h2", { text: t("ops.staff_audit_title") }));
  if (supports("GET", "/v1/ops/audit")) {
    try {
      const { entries = [] } = await api.get(`/v1/ops/audit?subject=${encodeURIComponent(playerId)}&limit=100`);
      staff.append(entries.length
        ? table([t("ops.col_when"), t("ops.col_actor"), t("ops.col_action"), t("ops.col_detail")],
          entries.map((a) => [formatDateTime(a.at), `${a.actor_id} (${a.actor_role})`, a.action, JSON.stringify(a.details ?? {})]),
          { caption: t("ops.staff_audit_title") })
        : el("p", { text: t("ops.no_history") }));
    } catch (error) {
      if (error?.code === "session_ended") throw error;
      staff.append(el("p", { class: "callout", text: messageOf(error) }));
    }
  } else {
    staff.append(el("p", { class: "callout", text: t("ops.unavailable", { path: "GET /v1/ops/audit" }) }));
  }
  box.append(staff);
}

// ------------------------------------------------------------------ national exclusion list

function prepareExclusions() {
  $("exclusions-diff").hidden = true;
}

function diffFacts(summary) {
  const cell = (label, value, id) => el("div", { id }, el("strong", { text: String(value ?? "–") }), label);
  return el("div", { class: "diff" },
    cell(t("ops.diff_entries"), summary.entries, "diff-entries"),
    cell(t("ops.diff_added"), summary.added, "diff-added"),
    cell(t("ops.diff_removed"), summary.removed, "diff-removed"),
    cell(t("ops.diff_invalid"), summary.invalid_rows, "diff-invalid"));
}

function setupExclusions() {
  onSubmit($("exclusions-form"), async (form) => {
    const file = form.elements.file.files[0];
    if (!file) throw new UserError(t("kyc.no_file"));
    const text = await file.text();
    const local = parseExclusionCsv(text);
    if (local.refusal) throw new UserError(t("ops.diff_refused", { reason: t(`ops.diff_${local.refusal}`) }));
    const path = "/v1/ops/exclusions/import";
    const dryRun = supportsQuery("POST", path, "dry_run");
    const send = (query) => api.request("POST", `${path}${query}`, { body: text, contentType: "text/csv" });
    const summary = dryRun ? await send("?dry_run=true") : { entries: local.entries, invalid_rows: local.invalid_rows, added: null, removed: null };
    const box = clear($("exclusions-diff"));
    box.hidden = false;
    box.append(el("h2", { text: t("ops.diff_title") }));
    if (!dryRun) box.append(el("p", { class: "callout", text: t("ops.diff_local") }));
    box.append(diffFacts(summary));
    const apply = el("button", { type: "button", class: "danger", text: t("ops.diff_apply") });
    apply.addEventListener("click", async () => {
      const answer = await dialog({
        title: t("ops.diff_confirm_title"),
        lines: [t(dryRun ? "ops.diff_confirm" : "ops.diff_confirm_local", summary)],
        confirmLabel: t("ops.diff_apply"),
        danger: true,
        action: () => send(""),
        errorText: messageOf,
      });
      if (answer === null) return;
      notify(t("ops.imported", { entries: answer.entries, closed: answer.closed_accounts ?? 0 }));
      clear(box).append(el("h2", { text: t("ops.diff_title") }), diffFacts(answer));
      form.reset();
    });
    box.append(el("p", {}, apply));
  });
}

// ------------------------------------------------------------------ operations alerts

async function loadAlerts() {
  const { alerts } = await api.get("/v1/ops/alerts");
  const box = clear($("alerts-list"));
  if (!alerts.length) return box.append(el("p", { text: t("ops.no_alerts") }));
  box.append(table([t("ops.created"), t("ops.col_kind"), t("ops.col_subject"), t("ops.col_detail"), t("ops.status")],
    alerts.map((a) => [formatDateTime(a.created_at), a.kind, a.subject, a.detail, a.status]), { caption: t("ops.alerts_title") }));
  return undefined;
}

// ------------------------------------------------------------------ start

async function start() {
  await initI18n(["site", "ops"]);
  document.body.append(dialogMarkup("dialog"));
  setupNotice();
  $("locale-switch").addEventListener("click", async () => {
    await setLocale(locale() === "pt-BR" ? "en" : "pt-BR");
    applyI18n();
    await show();
  });
  setupLogin();
  onSubmit($("kyc-filter"), () => loadKyc());
  aml.setup();
  behaviour.setup();
  onSubmit($("player-lookup"), (form) => lookupPlayer(form.elements.query.value.trim()));
  setupExclusions();
  reports.setup();
  onSubmit($("staff-password-form"), async (form) => {
    await api.post("/v1/auth/password", { current_password: form.elements.current_password.value, new_password: form.elements.new_password.value });
    form.reset();
    notify(t("account.password_changed"));
  });
  window.addEventListener("hashchange", () => show());
  await show();
  document.body.dataset.ready = "1";
}

start();
