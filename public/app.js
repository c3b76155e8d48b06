import { createClient, money, centavos, show } from "/api.js";

const api = createClient("player-token");
const $ = (id) => document.getElementById(id);
const message = $("message");
let session = null;

async function guarded(action) {
  try { await action(); } catch (error) { show(message, `${error.problem?.code ?? "error"}: ${error.message}`, true); }
}

async function refresh() {
  const [me, wallet, limits, reality] = await Promise.all([
    api.call("GET", "/v1/players/me"), api.call("GET", "/v1/wallet"),
    api.call("GET", "/v1/limits"), api.call("GET", "/v1/reality-check"),
  ]);
  $("balance").textContent = money(wallet.balance);
  $("currency").textContent = wallet.currency;
  $("kyc-status").textContent = me.kyc_status;
  $("limits").textContent = JSON.stringify(limits, null, 1);
  $("reality").textContent = `Session: ${reality.elapsed_minutes} min, ${reality.rounds} rounds, net R$ ${money(reality.net_position)}`;
}

async function enter() {
  $("auth").hidden = true;
  $("app").hidden = false;
  const { games } = await api.call("GET", "/v1/games");
  const dice = games.find((g) => g.game_id === "dice");
  if (dice) $("paytable").textContent = `RTP ${(dice.rtp_bps / 100).toFixed(2)}% · payout = stake × ${dice.rtp_bps} / target · stakes R$ ${money(dice.min_stake)}–${money(dice.max_stake)}`;
  await refresh();
}

$("login-form").addEventListener("submit", (e) => guarded(async () => {
  e.preventDefault();
  const form = new FormData(e.target);
  await api.login(form.get("email"), form.get("password"), form.get("otp"));
  await enter();
}));

$("register-form").addEventListener("submit", (e) => guarded(async () => {
  e.preventDefault();
  const body = Object.fromEntries(new FormData(e.target));
  if (!body.cpf) delete body.cpf;
  await api.call("POST", "/v1/auth/register", body);
  show(message, "Account created: log in above.");
}));

for (const [id, path] of [["deposit-form", "/v1/wallet/deposits"], ["withdraw-form", "/v1/wallet/withdrawals"]]) {
  $(id).addEventListener("submit", (e) => guarded(async () => {
    e.preventDefault();
    const form = new FormData(e.target);
    const result = await api.call("POST", path, { amount: centavos(form.get("amount")), method: form.get("method") }, { idempotent: true });
    show(message, `${result.event.type} of R$ ${money(result.event.amount)} (seq ${result.event.seq})`);
    await refresh();
  }));
}

$("kyc-form").addEventListener("submit", (e) => guarded(async () => {
  e.preventDefault();
  const file = new FormData(e.target).get("file");
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const result = await api.call("POST", "/v1/kyc/documents", {
    doc_type: "id_front", filename: file.name, content_type: file.type || "application/octet-stream", content_base64: btoa(binary),
  });
  show(message, `Document received; KYC ${result.kyc_status}`);
  await refresh();
}));

$("dice-form").addEventListener("submit", (e) => guarded(async () => {
  e.preventDefault();
  const form = new FormData(e.target);
  if (!session) {
    session = await api.call("POST", "/v1/games/dice/sessions", {});
    $("seed-hash").textContent = session.server_seed_hash;
  }
  const round = await api.call("POST", `/v1/sessions/${session.session_id}/rounds`,
    { stake: centavos(form.get("stake")), params: { target: Number(form.get("target")) } }, { idempotent: true });
  $("round-result").textContent = `Nonce ${round.nonce}: roll ${round.outcome.roll} → ${round.outcome.win ? "WIN" : "lose"}, payout R$ ${money(round.payout)}`;
  for (const note of round.interventions ?? []) show(message, note.message);
  if (round.reality_check?.due) show(message, `Reality check: ${round.reality_check.elapsed_minutes} minutes played, net R$ ${money(round.reality_check.net_position)}`);
  await refresh();
}));

$("rotate").addEventListener("click", () => guarded(async () => {
  if (!session) return;
  const reveal = await api.call("POST", `/v1/sessions/${session.session_id}/seed-rotation`, {});
  $("reveal").textContent = JSON.stringify(reveal, null, 1);
  $("seed-hash").textContent = reveal.server_seed_hash;
}));

$("deposit-limit-form").addEventListener("submit", (e) => guarded(async () => {
  e.preventDefault();
  const daily = new FormData(e.target).get("daily");
  await api.call("PUT", "/v1/limits/deposit", { daily: daily ? centavos(daily) : null });
  await refresh();
}));

$("exclusion-form").addEventListener("submit", (e) => guarded(async () => {
  e.preventDefault();
  const days = Number(new FormData(e.target).get("days"));
  const result = await api.call("POST", "/v1/self-exclusion", { days });
  show(message, `Self-excluded until ${result.excluded_until}`);
}));

if (api.loggedIn) guarded(enter);
