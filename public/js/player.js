// The player app: one page, one view per hash route (#/lobby, #/game/dice, #/wallet, ...),
// every request through the API client (silent token refresh), every money-moving request with
// the Idempotency-Key of the player's intent, every amount exact in centavos.
import { ApiError, createClient, isMissingEndpoint } from "./api.js";
import { isValidCpf, cpfDigits, formatCpf } from "./cpf.js";
import { DOC_TYPES, MAX_DOCUMENT_BYTES, sniffType, toBase64 } from "./documents.js";
import { VerifyInputError, verifyRounds } from "./fairness.js";
import { applyI18n, errorMessage, formatDateTime, initI18n, locale, setLocale, t } from "./i18n.js";
import { Intent } from "./intent.js";
import { AmountError, formatAmountInput, formatBps, formatHundredths, formatMoney, parseAmount, parseHundredths } from "./money.js";
import { $, busy, clear, dialog, dialogMarkup, el, facts, formError, notify, setupNotice, table } from "./ui.js";
import { reportLines } from "./verify-report.js";
import { amountInWords } from "./words.js";

// Suggested limits at sign-up (the player chooses; these only pre-fill the form): the BR
// profile's defaults.
const SUGGESTED = {
  loss: { daily: 500_000, weekly: 2_000_000, monthly: 5_000_000 },
  time: { daily: 480, weekly: 2400, monthly: 7200 },
};
const PERIODS = ["daily", "weekly", "monthly"];
const HISTORY_PAGE = 10;
const PUBLIC_VIEWS = new Set(["login", "register", "help", "licence", "terms", "privacy"]);

const api = createClient({ storageKey: "casino.player", onSessionEnded: () => sessionEnded() });
const state = {
  me: null,
  games: [],
  wallet: null,
  historyEnd: null,
  sessions: loadJson("casino.sessions", {}),
  reveals: loadJson("casino.reveals", {}),
  pendingWithdrawals: [],
  sentDocuments: [],
  after: null,
};
const intents = { deposit: new Intent(), withdraw: new Intent(), bet: new Intent() };

function loadJson(key, fallback) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "null") ?? fallback;
  } catch {
    return fallback;
  }
}
const saveJson = (key, value) => sessionStorage.setItem(key, JSON.stringify(value));
const money = (centavos) => formatMoney(centavos, locale());
const amountReason = (error) => t(`amount.${error.reason}`);

function amountField(form, name, { optional = false } = {}) {
  const input = form.elements[name];
  const text = input.value.trim();
  if (optional && text === "") return null;
  try {
    return parseAmount(text, locale());
  } catch (error) {
    if (error instanceof AmountError) {
      const label = form.querySelector(`label[for="${input.id}"]`)?.textContent ?? name;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      throw new UserError(t("amount.invalid_in", { field: label, reason: amountReason(error) }));
    }
    throw error;
  }
}

function minutesField(form, name, { optional = true } = {}) {
  const input = form.elements[name];
  const text = input.value.trim();
  if (text === "" && optional) return null;
  const value = Number(text);
  const max = Number(input.max || 1440);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
    const label = form.querySelector(`label[for="${input.id}"]`)?.textContent ?? name;
    throw new UserError(`${label}: 1–${max}`);
  }
  return value;
}

class UserError extends Error {}

const messageOf = (error) => (error instanceof UserError ? error.message : isMissingEndpoint(error) ? t("common.unavailable") : errorMessage(error));

/** Run a form's submit: busy button, errors in the form itself (and announced). */
function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter ?? form.querySelector("button[type=submit]");
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    formError(form, "");
    await busy(button, async () => {
      try {
        await handler(form, button);
      } catch (error) {
        if (error?.code === "session_ended") return;
        formError(form, messageOf(error));
      }
    });
  });
}

async function guarded(action) {
  try {
    return await action();
  } catch (error) {
    if (error?.code !== "session_ended") notify(messageOf(error), "error");
    return undefined;
  }
}

// ------------------------------------------------------------------ routing

function currentRoute() {
  const [name = "", ...args] = location.hash.replace(/^#\/?/, "").split("/");
  return { name: name || (api.loggedIn ? "lobby" : "login"), args };
}

const LOADERS = {
  lobby: showLobby,
  game: showGame,
  wallet: showWallet,
  limits: showLimits,
  kyc: showKyc,
  account: showAccount,
};

async function route({ focus = true } = {}) {
  let { name, args } = currentRoute();
  if (!document.querySelector(`[data-view="${name}"]`)) name = api.loggedIn ? "lobby" : "login";
  if (!PUBLIC_VIEWS.has(name) && !api.loggedIn) {
    state.after = location.hash;
    name = "login";
  }
  if (name === "login" && api.loggedIn) name = "lobby";
  for (const view of document.querySelectorAll(".view")) view.hidden = view.dataset.view !== name;
  for (const link of document.querySelectorAll("#main-nav a")) {
    if (link.getAttribute("href") === `#/${name}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  setChrome();
  const heading = document.querySelector(`[data-view="${name}"] h1`);
  if (focus && heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
  if (LOADERS[name]) await guarded(() => LOADERS[name](...args));
}

function setChrome() {
  const loggedIn = api.loggedIn;
  $("main-nav").hidden = !loggedIn;
  $("logout").hidden = !loggedIn;
  $("balance-chip").hidden = !loggedIn || state.wallet === null;
}

function showBalance(balance) {
  state.wallet = { ...(state.wallet ?? {}), balance };
  const chip = $("balance-chip");
  chip.textContent = `${t("wallet.balance")}: ${money(balance)}`;
  chip.hidden = !api.loggedIn;
  const big = $("wallet-balance");
  if (big) big.textContent = money(balance);
}

async function refreshWallet() {
  const wallet = await api.get("/v1/wallet");
  state.wallet = wallet;
  showBalance(wallet.balance);
  return wallet;
}

function sessionEnded() {
  state.me = null;
  state.wallet = null;
  notify(t("login.session_ended"), "error");
  location.hash = "#/login";
  route();
}

// ------------------------------------------------------------------ login, registration, logout

function setupLogin() {
  onSubmit($("login-form"), async (form) => {
    const credentials = { email: form.elements.email.value.trim(), password: form.elements.password.value };
    const otp = form.elements.otp.value.trim();
    if (!$("login-otp-row").hidden && otp) credentials.otp = otp;
    if (!credentials.email || !credentials.password) throw new UserError(t("register.missing"));
    try {
      await api.login(credentials);
    } catch (error) {
      if (error instanceof ApiError && error.code === "mfa_required") {
        $("login-otp-row").hidden = false;
        form.elements.otp.focus();
        throw new UserError(t("login.otp_needed"));
      }
      throw error;
    }
    form.reset();
    $("login-otp-row").hidden = true;
    notify(t("login.welcome"));
    const target = state.after && state.after !== "#/login" ? state.after : "#/lobby";
    state.after = null;
    if (location.hash === target) await route();
    else location.hash = target;
  });
  $("logout").addEventListener("click", async () => {
    await api.logout();
    state.me = null;
    state.wallet = null;
    notify(t("login.logged_out"));
    location.hash = "#/login";
  });
}

function setupRegister() {
  const form = $("register-form");
  for (const period of PERIODS) {
    form.elements[`loss_${period}`].value = formatAmountInput(SUGGESTED.loss[period], locale());
    form.elements[`time_${period}`].value = SUGGESTED.time[period];
  }
  const cpf = form.elements.cpf;
  cpf.addEventListener("input", () => {
    cpf.value = formatCpf(cpf.value);
  });
  const country = form.elements.country;
  const syncCountry = () => {
    const brazil = country.value === "BR";
    $("reg-cpf-row").hidden = !brazil;
    cpf.required = brazil;
  };
  country.addEventListener("change", syncCountry);
  syncCountry();
  onSubmit(form, async () => {
    const required = ["full_name", "email", "password", "birth_date"];
    for (const name of required) {
      if (!form.elements[name].value.trim()) {
        form.elements[name].setAttribute("aria-invalid", "true");
        form.elements[name].focus();
        throw new UserError(t("register.missing"));
      }
    }
    const brazil = form.elements.country.value === "BR";
    if (brazil && !isValidCpf(cpf.value)) {
      cpf.setAttribute("aria-invalid", "true");
      cpf.focus();
      throw new UserError(t("register.cpf_invalid"));
    }
    if (!["risk", "adult", "terms"].every((name) => form.elements[name].checked)) {
      throw new UserError(t("register.must_accept"));
    }
    const limits = {
      loss: Object.fromEntries(PERIODS.map((p) => [p, amountField(form, `loss_${p}`)])),
      time: Object.fromEntries(PERIODS.map((p) => [p, minutesField(form, `time_${p}`, { optional: false })])),
    };
    const deposit = Object.fromEntries(PERIODS.map((p) => [p, amountField(form, `deposit_${p}`, { optional: true })]));
    if (Object.values(deposit).some((v) => v !== null)) limits.deposit = deposit;
    const body = {
      full_name: form.elements.full_name.value.trim(),
      email: form.elements.email.value.trim(),
      password: form.elements.password.value,
      birth_date: form.elements.birth_date.value,
      country: form.elements.country.value,
      limits,
    };
    if (brazil) body.cpf = cpfDigits(cpf.value);
    if (form.elements.phone.value.trim()) body.phone = form.elements.phone.value.trim();
    await api.post("/v1/auth/register", body, { auth: false });
    await api.login({ email: body.email, password: body.password });
    form.reset();
    setupRegisterDefaults(form);
    notify(`${t("register.created").split(".")[0]}. ${t("login.welcome")}`);
    location.hash = "#/lobby";
  });
}

function setupRegisterDefaults(form) {
  for (const period of PERIODS) {
    form.elements[`loss_${period}`].value = formatAmountInput(SUGGESTED.loss[period], locale());
    form.elements[`time_${period}`].value = SUGGESTED.time[period];
  }
}

// ------------------------------------------------------------------ lobby and games

async function loadGames() {
  if (!state.games.length) state.games = (await api.get("/v1/games", { auth: false })).games;
  return state.games;
}

async function loadMe() {
  state.me = await api.get("/v1/players/me");
  return state.me;
}

async function showLobby() {
  const [games, me] = await Promise.all([loadGames(), loadMe(), refreshWallet()]);
  const callout = $("lobby-kyc");
  callout.hidden = me.kyc_status === "verified";
  clear(callout).append(t("lobby.kyc_needed"), " ", el("a", { href: "#/kyc", text: t("lobby.kyc_link") }));
  clear($("game-list")).append(
    ...games.map((game) =>
      el("li", { class: "card game-card" },
        el("h2", { text: game.name }),
        el("p", { class: "rtp", text: t("lobby.rtp", { rtp: formatBps(game.rtp_bps, locale()) }) }),
        el("p", { text: t("lobby.stakes", { min: money(game.min_stake), max: money(game.max_stake) }) }),
        el("p", { class: "hint", text: ruleText(game) }),
        el("a", { class: "button", href: `#/game/${game.game_id}`, text: t("lobby.play", { name: game.name }) }))),
  );
}

function ruleText(game) {
  return { dice: t("game.dice_rule"), slots: t("game.slots_rule"), limbo: t("game.limbo_rule") }[game.game_id] ?? game.kind;
}

const percent = (numerator, denominator) => {
  // An exact ratio as a percentage with two decimals (rounded down): never a float on money.
  const bps = Number((BigInt(numerator) * 1_000_000n) / BigInt(denominator));
  return `${formatHundredths(Math.floor(bps / 100), locale())}%`;
};
const multiplierOf = (numerator, denominator) => {
  const x10000 = Number((BigInt(numerator) * 10000n) / BigInt(denominator));
  const whole = Math.floor(x10000 / 10000);
  const decimals = String(x10000 % 10000).padStart(4, "0").replace(/0{1,2}$/, "");
  return `${whole}${locale() === "en" ? "." : ","}${decimals.padEnd(2, "0")}`;
};

function paramSpec(game) {
  return game.paytable?.params ?? {};
}

function renderPaytable(game) {
  const rtp = game.rtp_bps;
  const box = clear($("paytable"));
  box.append(el("p", { text: ruleText(game) }));
  box.append(el("p", { class: "rtp", text: t("game.rtp", { rtp: formatBps(rtp, locale()), back: money(rtp) }) }));
  if (game.game_id === "dice") {
    const max = paramSpec(game).target?.maximum ?? rtp - 1;
    const targets = [100, 1000, 2500, 5000, 7500, max].filter((v, i, all) => v <= max && all.indexOf(v) === i);
    box.append(table([t("game.dice_table_target"), t("game.dice_table_chance"), t("game.dice_table_mult")],
      targets.map((target) => [String(target), percent(target, 10000), `${multiplierOf(rtp, target)}×`])));
  } else if (game.game_id === "slots") {
    const lines = game.paytable.lines ?? [];
    const space = game.paytable.outcome_space ?? 8000;
    const losing = space - lines.reduce((sum, line) => sum + line.combinations, 0);
    box.append(table([t("game.slots_line"), t("game.slots_combos"), t("game.slots_chance"), t("game.slots_mult")], [
      ...lines.map((line) => [line.symbols, String(line.combinations), percent(line.combinations, space), `${formatHundredths(line.multiplier_x100, locale())}×`]),
      [t("game.slots_none"), String(losing), percent(losing, space), "0"],
    ]));
  } else if (game.game_id === "limbo") {
    const n = game.paytable.draws?.[0]?.range ?? 100_000_000;
    const examples = [101, 200, 500, 1000, 10000, 100000];
    box.append(el("p", { class: "subhead", text: t("game.limbo_examples") }));
    box.append(table([t("game.dice_table_mult"), t("game.dice_table_chance")],
      examples.map((m) => [`${formatHundredths(m, locale())}×`, percent(Math.min(n, Math.floor((rtp * n) / (100 * m))), n)])));
  } else {
    box.append(el("pre", { text: JSON.stringify(game.paytable, null, 2) }));
  }
}

function renderParams(game) {
  const box = clear($("bet-params"));
  const spec = paramSpec(game);
  const example = game.paytable?.example_params ?? {};
  if (game.game_id === "limbo") {
    const range = spec.target_multiplier_x100 ?? { minimum: 101, maximum: 1_000_000 };
    box.append(
      el("label", { for: "param-limbo", text: t("game.limbo_target") }),
      el("input", { id: "param-limbo", name: "target_multiplier", inputmode: "decimal", autocomplete: "off", required: true,
        value: formatHundredths(example.target_multiplier_x100 ?? 200, locale()), "aria-describedby": "param-limbo-hint",
        dataset: { min: range.minimum, max: range.maximum } }),
      el("p", { id: "param-limbo-hint", class: "hint",
        text: t("game.limbo_target_hint", { min: formatHundredths(range.minimum, locale()), max: formatHundredths(range.maximum, locale()) }) }));
    return;
  }
  for (const [name, rule] of Object.entries(spec)) {
    if (rule.type !== "integer") continue;
    const id = `param-${name}`;
    box.append(
      el("label", { for: id, text: game.game_id === "dice" && name === "target" ? t("game.dice_target") : name }),
      el("input", { id, name, type: "number", inputmode: "numeric", step: "1", min: rule.minimum, max: rule.maximum, required: true,
        value: example[name] ?? rule.minimum, "aria-describedby": `${id}-hint`, dataset: { param: name } }),
      el("p", { id: `${id}-hint`, class: "hint", text: t("game.dice_target_hint", { min: rule.minimum, max: rule.maximum }) }));
  }
}

/** The params the server accepts, from the form; a UserError when a value is out of range. */
function readParams(game, form) {
  if (game.game_id === "limbo") {
    const input = form.elements.target_multiplier;
    const { min, max } = input.dataset;
    let value;
    try {
      value = parseHundredths(input.value, locale());
    } catch {
      value = NaN;
    }
    if (!(value >= Number(min) && value <= Number(max))) {
      input.setAttribute("aria-invalid", "true");
      throw new UserError(t("game.param_invalid", { hint: $("param-limbo-hint").textContent }));
    }
    return { target_multiplier_x100: value };
  }
  const params = {};
  for (const input of form.querySelectorAll("[data-param]")) {
    const value = Number(input.value);
    if (!Number.isInteger(value) || value < Number(input.min) || value > Number(input.max)) {
      input.setAttribute("aria-invalid", "true");
      throw new UserError(t("game.param_invalid", { hint: $(`${input.id}-hint`).textContent }));
    }
    params[input.dataset.param] = value;
  }
  return params;
}

function readStake(game, form) {
  const stake = amountField(form, "stake");
  if (stake < game.min_stake || stake > game.max_stake) {
    form.elements.stake.setAttribute("aria-invalid", "true");
    throw new UserError(t("game.stake_hint", { min: money(game.min_stake), max: money(game.max_stake) }));
  }
  return stake;
}

function updatePreview(game) {
  const form = $("bet-form");
  const preview = $("bet-preview");
  let stake;
  let params;
  try {
    stake = parseAmount(form.elements.stake.value, locale());
    params = readParams(game, form);
  } catch {
    preview.textContent = "";
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    return;
  }
  const rtp = game.rtp_bps;
  if (game.game_id === "dice") {
    const target = params.target;
    preview.textContent = t("game.dice_preview", {
      chance: percent(target, 10000), mult: multiplierOf(rtp, target), payout: money(Number((BigInt(stake) * BigInt(rtp)) / BigInt(target))),
    });
  } else if (game.game_id === "limbo") {
    const m = params.target_multiplier_x100;
    const n = 100_000_000;
    preview.textContent = t("game.limbo_preview", {
      chance: percent(Math.min(n, Math.floor((rtp * n) / (100 * m))), n), payout: money(Number((BigInt(stake) * BigInt(m)) / 100n)),
    });
  } else if (game.game_id === "slots") {
    const top = game.paytable.lines?.[0]?.multiplier_x100 ?? 0;
    preview.textContent = t("game.slots_preview", { payout: money(Number((BigInt(stake) * BigInt(top)) / 100n)) });
  }
}

let currentGame = null;

async function showGame(gameId) {
  const games = await loadGames();
  const game = games.find((g) => g.game_id === gameId);
  if (!game) {
    location.hash = "#/lobby";
    return;
  }
  currentGame = game;
  intents.bet.done();
  $("game-title").textContent = game.name;
  renderPaytable(game);
  const form = $("bet-form");
  formError(form, "");
  form.elements.stake.value = formatAmountInput(Math.max(game.min_stake, 100), locale());
  $("bet-stake-hint").textContent = t("game.stake_hint", { min: money(game.min_stake), max: money(game.max_stake) });
  renderParams(game);
  updatePreview(game);
  clear($("round-result"));
  clear($("reveal"));
  clear($("verify-result"));
  await Promise.all([refreshWallet(), refreshSession(game)]);
  renderFairness(game);
  renderReveal(game);
  await loadRounds(game);
}

async function refreshSession(game) {
  const stored = state.sessions[game.game_id];
  if (!stored) return;
  try {
    const live = await api.get(`/v1/sessions/${stored.session_id}`);
    state.sessions[game.game_id] = { ...stored, ...live };
  } catch (error) {
    if (error?.code === "session_ended") throw error;
    delete state.sessions[game.game_id];
  }
  saveJson("casino.sessions", state.sessions);
}

function renderFairness(game) {
  const session = state.sessions[game.game_id];
  const box = clear($("fair-facts"));
  const seedInput = $("client-seed");
  if (!session) {
    box.append(el("p", { text: t("fair.no_session") }));
    $("rotate").disabled = true;
    return;
  }
  $("rotate").disabled = false;
  if (!seedInput.value) seedInput.value = session.client_seed;
  box.append(facts([
    [t("fair.session"), el("code", { id: "fair-session-id", text: session.session_id })],
    [t("fair.seed_hash"), el("code", { id: "fair-seed-hash", text: session.server_seed_hash })],
    [t("fair.client_seed"), el("code", { id: "fair-client-seed", text: session.client_seed })],
    [t("fair.nonce"), el("span", { id: "fair-nonce", text: String(session.nonce) })],
    [t("fair.rtp"), formatBps(session.rtp_bps, locale())],
  ]));
}

function renderReveal(game) {
  const reveal = state.reveals[game.game_id];
  const box = clear($("reveal"));
  if (!reveal) return;
  box.append(facts([
    [t("fair.revealed"), el("code", { id: "fair-revealed-seed", text: reveal.revealed_server_seed })],
    [t("fair.revealed_hash"), el("code", { text: reveal.revealed_server_seed_hash })],
    [t("fair.final_nonce"), String(reveal.final_nonce)],
  ]));
}

function describeOutcome(game, round) {
  const o = round.outcome ?? {};
  if (game.game_id === "dice") return `${o.roll} < ${round.params?.target}? ${o.win ? "✔" : "✘"}`;
  if (game.game_id === "limbo") return `${formatHundredths(o.result_x100 ?? 0, locale())}× ≥ ${formatHundredths(round.params?.target_multiplier_x100 ?? 0, locale())}×? ${o.win ? "✔" : "✘"}`;
  if (game.game_id === "slots") return `${(o.reels ?? []).join(" ")}${o.line ? ` (${o.line})` : ""}`;
  return JSON.stringify(o);
}

const paramsText = (game, params) => {
  if (game.game_id === "dice") return `${t("game.dice_table_target")} ${params?.target}`;
  if (game.game_id === "limbo") return `${formatHundredths(params?.target_multiplier_x100 ?? 0, locale())}×`;
  return "–";
};

async function loadRounds(game) {
  const box = clear($("session-rounds"));
  const session = state.sessions[game.game_id];
  if (!session) {
    box.append(el("p", { text: t("game.no_rounds") }));
    return;
  }
  const list = await api.get(`/v1/sessions/${session.session_id}/rounds`);
  renderRounds(game, list.rounds ?? []);
  if (list.pending_rounds?.length) box.append(el("p", { class: "hint", text: t("game.pending_rounds", { count: list.pending_rounds.length }) }));
}

function renderRounds(game, rounds) {
  const box = clear($("session-rounds"));
  if (!rounds.length) {
    box.append(el("p", { text: t("game.no_rounds") }));
    return;
  }
  // The newest 20 first (the list is in play order, across the session's seeds).
  box.append(table([t("game.col_nonce"), t("game.col_stake"), t("game.col_params"), t("game.col_outcome"), t("game.col_payout")],
    [...rounds].reverse().slice(0, 20).map((r) => [String(r.nonce), money(r.stake), paramsText(game, r.params), describeOutcome(game, r), money(r.payout)])));
}

function roundSentence(game, round) {
  const verdict = round.payout > 0 ? t("game.won", { payout: money(round.payout) }) : t("game.lost");
  const o = round.outcome ?? {};
  if (game.game_id === "dice") return t("game.result_dice", { nonce: round.nonce, roll: o.roll, target: round.params?.target, verdict });
  if (game.game_id === "limbo") {
    return t("game.result_limbo", { nonce: round.nonce, result: formatHundredths(o.result_x100, locale()), target: formatHundredths(round.params?.target_multiplier_x100, locale()), verdict });
  }
  if (game.game_id === "slots") return t("game.result_slots", { nonce: round.nonce, reels: (o.reels ?? []).join(" · "), verdict });
  return verdict;
}

function clientSeedValue() {
  const value = $("client-seed").value;
  if (value === "") return null;
  if (!/^[\x20-\x7e]{1,64}$/.test(value)) throw new UserError(t("fair.client_seed_invalid"));
  return value;
}

async function ensureSession(game) {
  if (state.sessions[game.game_id]) return state.sessions[game.game_id];
  const clientSeed = clientSeedValue();
  const session = await api.post(`/v1/games/${game.game_id}/sessions`, clientSeed ? { client_seed: clientSeed } : {});
  state.sessions[game.game_id] = session;
  saveJson("casino.sessions", state.sessions);
  $("client-seed").value = session.client_seed;
  renderFairness(game);
  return session;
}

function setupGame() {
  const form = $("bet-form");
  form.addEventListener("input", () => currentGame && updatePreview(currentGame));
  onSubmit(form, async () => {
    const game = currentGame;
    const body = { stake: readStake(game, form), params: readParams(game, form) };
    const session = await ensureSession(game);
    let round;
    try {
      round = await api.post(`/v1/sessions/${session.session_id}/rounds`, body, { idempotencyKey: intents.bet.keyFor({ session: session.session_id, ...body }) });
    } catch (error) {
      if (error instanceof ApiError && (error.code === "session_closed" || (error.status === 404 && !isMissingEndpoint(error)))) {
        delete state.sessions[game.game_id];
        saveJson("casino.sessions", state.sessions);
        renderFairness(game);
        throw new UserError(t("game.session_reopened"));
      }
      throw error;
    }
    intents.bet.done();
    session.nonce = round.nonce + 1;
    session.server_seed_hash = round.server_seed_hash;
    saveJson("casino.sessions", state.sessions);
    const result = $("round-result");
    clear(result).append(
      el("p", { class: round.payout > 0 ? "win" : "loss", text: roundSentence(game, round) }),
      el("p", { class: "hint", text: t("game.balance_now", { balance: money(round.balance) }) }));
    showBalance(round.balance);
    renderFairness(game);
    loadRounds(game).catch(() => null);
    await afterPlay(round);
  });
  onSubmit($("client-seed-form"), async () => {
    const game = currentGame;
    const session = state.sessions[game.game_id];
    if (!session) throw new UserError(t("fair.no_session"));
    const clientSeed = clientSeedValue();
    const reveal = await api.post(`/v1/sessions/${session.session_id}/seed-rotation`, clientSeed ? { client_seed: clientSeed } : {});
    state.reveals[game.game_id] = reveal;
    saveJson("casino.reveals", state.reveals);
    Object.assign(session, { server_seed_hash: reveal.server_seed_hash, client_seed: reveal.client_seed, nonce: reveal.nonce ?? 0 });
    saveJson("casino.sessions", state.sessions);
    renderFairness(game);
    renderReveal(game);
    notify(t("fair.rotated"));
  });
  $("verify-session").addEventListener("click", (event) => busy(event.currentTarget, () => verifySession(currentGame)));
}

async function verifySession(game) {
  const box = clear($("verify-result"));
  const session = state.sessions[game.game_id];
  const reveal = state.reveals[game.game_id];
  if (!session || !reveal) {
    box.append(el("p", { class: "form-error", text: t("fair.verify_need_seed") }));
    return;
  }
  try {
    const list = await api.get(`/v1/sessions/${session.session_id}/rounds`);
    const report = await verifyRounds(reveal.revealed_server_seed, list.rounds ?? [], { game: game.game_id });
    box.append(...reportLines(report, list.pending_rounds?.length ?? 0));
  } catch (error) {
    if (error instanceof VerifyInputError) box.append(el("p", { class: "form-error", text: t(`verify.error.${error.reason}`, { detail: error.detail }) }));
    else box.append(el("p", { class: "form-error", text: messageOf(error) }));
  }
}

/** Reality checks and interventions: a modal dialog in the middle of the screen. */
async function afterPlay(answer) {
  const check = answer.reality_check;
  if (check?.due) {
    const choice = await dialog({
      title: t("rg.reality_title"),
      lines: [t("rg.reality_body", {
        minutes: t("common.minutes", { count: check.elapsed_minutes }), rounds: t("common.rounds", { count: check.rounds }),
        staked: money(check.total_staked ?? 0), won: money(check.total_won ?? 0), net: money(check.net_position ?? 0),
      })],
      confirmLabel: t("rg.reality_continue"),
      cancelLabel: t("rg.reality_stop"),
    });
    if (choice === null) location.hash = "#/limits";
  }
  for (const note of answer.interventions ?? []) await showIntervention(note);
}

async function showIntervention(note) {
  const lines = [t(`rg.intervention.${note.rule}`) === `rg.intervention.${note.rule}` ? note.message : t(`rg.intervention.${note.rule}`)];
  if (note.suggested_daily_loss_limit) lines.push(t("rg.suggested_limit", { amount: money(note.suggested_daily_loss_limit) }));
  if (note.break_until) lines.push(t("rg.break_until", { until: formatDateTime(note.break_until) }));
  const suggested = note.suggested_daily_loss_limit;
  await dialog({
    title: t("rg.intervention_title"),
    lines,
    confirmLabel: suggested ? t("rg.set_suggested") : t("common.close"),
    cancelLabel: suggested ? t("common.close") : null,
    action: suggested ? async () => {
      await api.put("/v1/limits/loss", { daily: suggested });
      notify(t("rg.saved"));
      return true;
    } : undefined,
    errorText: messageOf,
  });
}

// ------------------------------------------------------------------ wallet

const methodName = (method) => ({ pix: "PIX", ted: "TED" })[method] ?? method;

function setupWallet() {
  for (const [kind, path] of [["deposit", "/v1/wallet/deposits"], ["withdraw", "/v1/wallet/withdrawals"]]) {
    const form = $(`${kind}-form`);
    onSubmit(form, async () => {
      const amount = amountField(form, "amount");
      const method = form.elements.method.value;
      const body = { amount, method };
      const intent = intents[kind];
      const result = await dialog({
        title: t(`wallet.confirm_${kind}_title`),
        lines: [
          el("p", { class: "big confirm-amount", text: t("wallet.confirm_amount", { amount: money(amount) }) }),
          el("p", { class: "confirm-words", text: t("wallet.confirm_words", { words: amountInWords(amount, locale()) }) }),
          t("wallet.confirm_method", { method: methodName(method) }),
        ],
        confirmLabel: t(`wallet.confirm_${kind}`, { amount: money(amount) }),
        action: () => api.post(path, body, { idempotencyKey: intent.keyFor(body) }),
        errorText: messageOf,
      });
      if (result === null) return;
      intent.done();
      form.elements.amount.value = "";
      const status = result.withdrawal?.status ?? result.status;
      const final = !status || ["completed", "paid", "settled"].includes(status);
      if (kind === "withdraw" && !final) {
        state.pendingWithdrawals.push({ amount, method, requested_at: new Date().toISOString(), status });
        notify(t("wallet.withdrawal_pending", { amount: money(amount) }));
      } else {
        notify(t(kind === "deposit" ? "wallet.deposited" : "wallet.withdrawn", { amount: money(amount), balance: money(result.balance) }));
      }
      showBalance(result.balance);
      state.historyEnd = null;
      await showHistory();
      await renderPending();
      for (const note of result.interventions ?? []) await showIntervention(note);
    });
  }
  $("history-newer").addEventListener("click", () => guarded(() => pageHistory(+HISTORY_PAGE)));
  $("history-older").addEventListener("click", () => guarded(() => pageHistory(-HISTORY_PAGE)));
}

async function showWallet() {
  await refreshWallet();
  state.historyEnd = null;
  await showHistory();
  await renderPending();
}

async function renderPending() {
  const box = clear($("pending-withdrawals"));
  let withdrawals = state.pendingWithdrawals;
  try {
    withdrawals = (await api.get("/v1/wallet/withdrawals")).withdrawals ?? [];
  } catch (error) {
    if (!isMissingEndpoint(error)) throw error; // an older server: what this tab saw
  }
  const pending = withdrawals.filter((w) => w.status !== "paid");
  if (!pending.length) box.append(el("p", { text: t("wallet.pending_none") }));
  if (!withdrawals.length) return;
  box.append(table([t("wallet.col_when"), t("wallet.col_amount"), t("wallet.col_status"), t("wallet.col_due")],
    withdrawals.slice(0, 10).map((w) => [
      formatDateTime(w.requested_at ?? w.at), money(w.amount),
      w.status === "paid" ? t("wallet.paid") : `${t("wallet.requested")}${w.overdue ? ` · ${t("wallet.overdue")}` : ""}`,
      w.status === "paid" ? formatDateTime(w.paid_at) : formatDateTime(w.due_by),
    ]), { caption: t("wallet.pending_title") }));
}

async function pageHistory(delta) {
  const last = state.wallet?.last_seq ?? 0;
  state.historyEnd = Math.max(Math.min(last, (state.historyEnd ?? last) + delta), Math.min(last, HISTORY_PAGE));
  await showHistory(false);
}

async function showHistory(reload = true) {
  const wallet = reload ? await refreshWallet() : state.wallet;
  const last = wallet.last_seq;
  const end = state.historyEnd ?? last;
  state.historyEnd = end;
  const after = Math.max(0, end - HISTORY_PAGE);
  const box = clear($("history"));
  $("history-newer").disabled = end >= last;
  $("history-older").disabled = after <= 0;
  if (last === 0) {
    box.append(el("p", { text: t("wallet.history_empty") }));
    $("history-range").textContent = "";
    return;
  }
  const page = await api.get(`/v1/wallet/events?after_seq=${after}&limit=${end - after}`);
  const events = page.events.filter((e) => e.seq <= end).reverse();
  const signed = (e) => (["DEPOSIT", "WIN", "BONUS_CREDIT"].includes(e.type) ? money(e.amount) : money(-e.amount));
  box.append(table([t("wallet.col_when"), t("wallet.col_type"), t("wallet.col_amount"), t("wallet.col_balance")],
    events.map((e) => [formatDateTime(e.created_at), t(`wallet.type.${e.type}`), signed(e), money(e.balance_after)]),
    { caption: t("wallet.history_title") }));
  $("history-range").textContent = t("wallet.range", { from: after + 1, to: end, total: last });
}

// ------------------------------------------------------------------ responsible gaming

const LIMIT_KINDS = [
  ["deposit", "daily"], ["deposit", "weekly"], ["deposit", "monthly"],
  ["loss", "daily"], ["loss", "weekly"], ["loss", "monthly"],
  ["time", "daily"], ["time", "weekly"], ["time", "monthly"],
];

function limitValueText(family, value) {
  if (value === null || value === undefined) return t("common.none");
  return family === "time" || family === "session" ? t("common.minutes", { count: value }) : money(value);
}

function pendingKindText(kind) {
  if (kind === "session_minutes") return t("limits.session_minutes_kind");
  return t(`limits.${kind}`);
}

async function showLimits() {
  const [limits, exclusion, reality] = await Promise.all([
    api.get("/v1/limits"), api.get("/v1/self-exclusion"), api.get("/v1/reality-check"),
  ]);
  state.limits = limits;
  const rows = [];
  for (const [family, period] of LIMIT_KINDS) {
    if (!limits[family]) continue;
    rows.push([t(`limits.${family}_${period}`), limitValueText(family, limits[family][period])]);
  }
  // A server with time limits has the session minutes as its daily time limit: one row, one form.
  if (!limits.time) rows.push([t("limits.session_minutes_kind"), limitValueText("session", limits.session_minutes)]);
  $("session-limit-form").hidden = Boolean(limits.time);
  clear($("rg-limits")).append(table([t("rg.kind"), t("rg.value")], rows, { caption: t("rg.limits_title") }));
  const pending = limits.pending ?? [];
  const pendingBox = clear($("rg-pending"));
  pendingBox.append(el("h3", { text: t("rg.pending") }));
  pendingBox.append(pending.length
    ? el("ul", { id: "rg-pending-list" }, pending.map((p) => el("li", {
      text: t("rg.pending_line", {
        kind: pendingKindText(p.limit),
        value: limitValueText(p.limit.startsWith("time") || p.limit === "session_minutes" ? "time" : "money", p.value),
        when: formatDateTime(p.effective_at),
      }),
    })))
    : el("p", { text: t("rg.no_pending") }));
  for (const family of ["deposit", "loss"]) {
    const form = $(`${family}-limit-form`);
    for (const period of PERIODS) {
      const value = limits[family]?.[period];
      form.elements[period].value = value == null ? "" : formatAmountInput(value, locale());
    }
  }
  const timeForm = $("time-limit-form");
  for (const period of PERIODS) timeForm.elements[period].value = limits.time?.[period] ?? "";
  $("session-limit-form").elements.max_minutes.value = limits.session_minutes ?? "";
  clear($("rg-status")).append(el("p", { id: "rg-exclusion-status", class: exclusion.excluded_until || exclusion.permanent ? "callout" : "", text: exclusionText(exclusion) }));
  clear($("rg-reality")).append(el("p", {
    text: reality.active === false && reality.rounds === 0 ? t("rg.reality_idle") : t("rg.reality", {
      minutes: t("common.minutes", { count: reality.elapsed_minutes }), rounds: t("common.rounds", { count: reality.rounds }),
      staked: money(reality.total_staked), won: money(reality.total_won), net: money(reality.net_position),
    }),
  }));
}

function exclusionText(exclusion) {
  if (exclusion.permanent) return t("rg.excluded_forever");
  if (!exclusion.excluded_until || new Date(exclusion.excluded_until) < new Date()) return t("rg.not_excluded");
  if (exclusion.kind === "break") return t("rg.on_break_until", { until: formatDateTime(exclusion.excluded_until) });
  return t("rg.excluded_until", { until: formatDateTime(exclusion.excluded_until) });
}

function savedMessage(answer) {
  const pending = answer?.pending ?? [];
  return pending.length ? t("rg.saved_pending", { when: formatDateTime(pending[pending.length - 1].effective_at) }) : t("rg.saved");
}

function setupLimits() {
  for (const family of ["deposit", "loss"]) {
    onSubmit($(`${family}-limit-form`), async (form) => {
      const body = Object.fromEntries(PERIODS.map((p) => [p, amountField(form, p, { optional: true })]));
      const answer = await api.put(`/v1/limits/${family}`, body);
      notify(savedMessage(answer));
      await showLimits();
    });
  }
  onSubmit($("time-limit-form"), async (form) => {
    const body = Object.fromEntries(PERIODS.map((p) => [p, minutesField(form, p)]));
    const answer = await api.put("/v1/limits/time", body);
    notify(savedMessage(answer));
    await showLimits();
  });
  onSubmit($("session-limit-form"), async (form) => {
    const answer = await api.put("/v1/limits/session", { max_minutes: minutesField(form, "max_minutes") });
    notify(savedMessage(answer));
    await showLimits();
  });
  onSubmit($("break-form"), async (form) => {
    const hours = Number(form.elements.hours.value);
    const length = form.elements.hours.selectedOptions[0].textContent;
    const answer = await dialog({
      title: t("rg.break_confirm_title"),
      lines: [t("rg.break_confirm", { length })],
      confirmLabel: t("rg.break_submit"),
      action: () => api.post("/v1/breaks", { hours }),
      errorText: messageOf,
    });
    if (answer === null) return;
    notify(t("rg.break_done", { until: formatDateTime(answer.excluded_until) }));
    await showLimits();
  });
  onSubmit($("exclusion-form"), async (form) => {
    const choice = form.elements.period.value;
    const body = choice === "permanent" ? { permanent: true } : { days: Number(choice) };
    const length = choice === "permanent" ? t("rg.exclusion_forever") : t("rg.exclusion_for_days", { count: Number(choice) });
    const answer = await dialog({
      title: t("rg.exclusion_confirm_title"),
      lines: [t("rg.exclusion_confirm", { length }), el("p", {}, t("help.national"), " ",
        el("a", { href: "https://www.gov.br/autoexclusaoapostas", rel: "noopener noreferrer", target: "_blank", text: t("help.national_link") }))],
      confirmLabel: t("rg.exclusion_confirm_button"),
      danger: true,
      action: () => api.post("/v1/self-exclusion", body),
      errorText: messageOf,
    });
    if (answer === null) return;
    notify(exclusionText(answer));
    await showLimits();
  });
}

// ------------------------------------------------------------------ KYC

async function showKyc() {
  const me = await loadMe();
  const box = clear($("kyc-status"));
  const status = me.kyc_status;
  box.append(
    el("p", { class: "big", id: "kyc-state", text: t("kyc.status", { status: t(`kyc.state.${status}`) }) }),
    el("p", { text: t(`kyc.status_${status}`) }));
  const reason = me.kyc_reason ?? me.kyc_rejection_reason;
  if (status === "rejected" && reason) box.append(el("p", { class: "callout", id: "kyc-reason", text: t("kyc.reason", { reason }) }));
  if (status !== "verified") box.append(el("p", { class: "hint", text: t("kyc.needed") }));
  renderSentDocuments();
}

function renderSentDocuments() {
  const list = clear($("kyc-sent"));
  if (!state.sentDocuments.length) list.append(el("li", { text: t("kyc.none_sent") }));
  for (const doc of state.sentDocuments) list.append(el("li", { text: `${t(`doc.${doc.doc_type}`)} · ${doc.filename} · ${formatDateTime(doc.at)}` }));
}

function setupKyc() {
  onSubmit($("kyc-form"), async (form) => {
    const file = form.elements.file.files[0];
    const docType = form.elements.doc_type.value;
    if (!DOC_TYPES.includes(docType)) throw new UserError(t("kyc.wrong_type"));
    if (!file) throw new UserError(t("kyc.no_file"));
    if (file.size > MAX_DOCUMENT_BYTES) throw new UserError(t("kyc.too_big"));
    const bytes = new Uint8Array(await file.arrayBuffer());
    const contentType = sniffType(bytes);
    if (!contentType) throw new UserError(t("kyc.wrong_type"));
    const answer = await api.post("/v1/kyc/documents", {
      doc_type: docType, filename: file.name, content_type: contentType, content_base64: toBase64(bytes),
    });
    state.sentDocuments.push({ doc_type: docType, filename: file.name, at: new Date().toISOString() });
    form.elements.file.value = "";
    notify(t("kyc.sent", { doc: t(`doc.${docType}`), status: t(`kyc.state.${answer.kyc_status}`) }));
    await showKyc();
  });
}

// ------------------------------------------------------------------ account

async function showAccount() {
  const me = await loadMe();
  clear($("account-facts")).append(facts([
    [t("account.name"), me.full_name],
    [t("account.email"), me.email],
    [t("account.country"), t(`country.${me.country}`) === `country.${me.country}` ? me.country : t(`country.${me.country}`)],
    [t("account.kyc"), t(`kyc.state.${me.kyc_status}`)],
    [t("account.tier"), me.vip_tier],
    [t("account.since"), formatDateTime(me.created_at)],
  ]));
  const missing = me.missing_fields ?? [];
  const note = $("account-missing");
  note.hidden = !missing.length;
  note.textContent = missing.length ? t("account.missing", { fields: missing.map((f) => t(`account.field.${f}`) === `account.field.${f}` ? f : t(`account.field.${f}`)).join(", ") }) : "";
  const form = $("profile-form");
  form.elements.phone.value = me.phone ?? "";
  const address = me.address ?? {};
  for (const name of ["street", "number", "city", "state", "postal_code"]) form.elements[name].value = address[name] ?? "";
  form.elements.pix_key.value = me.payout_account?.pix_key ?? "";
  if (me.payout_account?.pix_key_type) form.elements.pix_key_type.value = me.payout_account.pix_key_type;
}

function setupAccount() {
  onSubmit($("profile-form"), async (form) => {
    const value = (name) => form.elements[name].value.trim() || undefined;
    const body = {};
    if (value("phone")) body.phone = value("phone");
    const address = Object.fromEntries(["street", "number", "city", "state", "postal_code"].map((n) => [n, value(n)]).filter(([, v]) => v));
    if (Object.keys(address).length) {
      if (!address.street || !address.city) throw new UserError(t("account.address_needs"));
      body.address = { ...address, country: "BR" };
    }
    if (value("pix_key")) body.payout_account = { type: "pix", pix_key_type: form.elements.pix_key_type.value, pix_key: value("pix_key") };
    if (!Object.keys(body).length) throw new UserError(t("register.missing"));
    await api.put("/v1/players/me", body);
    notify(t("account.profile_saved"));
    await showAccount();
  });
  onSubmit($("password-form"), async (form) => {
    const next = form.elements.new_password.value;
    if (next !== form.elements.repeat.value) throw new UserError(t("account.password_mismatch"));
    await api.post("/v1/auth/password", { current_password: form.elements.current_password.value, new_password: next });
    form.reset();
    notify(t("account.password_changed"));
  });
}

// ------------------------------------------------------------------ start

async function start() {
  await initI18n(["site"]);
  document.body.append(dialogMarkup("dialog"));
  setupNotice();
  $("locale-switch").addEventListener("click", async () => {
    await setLocale(locale() === "pt-BR" ? "en" : "pt-BR");
    applyI18n();
    if (api.loggedIn && state.wallet) showBalance(state.wallet.balance);
    await route({ focus: false });
  });
  setupLogin();
  setupRegister();
  setupGame();
  setupWallet();
  setupLimits();
  setupKyc();
  setupAccount();
  window.addEventListener("hashchange", () => route());
  await route({ focus: false });
  document.body.dataset.ready = "1";
}

start();
