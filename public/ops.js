import { createClient, show } from "/api.js";

const api = createClient("operator-token");
const $ = (id) => document.getElementById(id);
const message = $("message");
const cell = (text) => { const td = document.createElement("td"); td.textContent = text; return td; };

async function guarded(action) {
  try { await action(); } catch (error) { show(message, `${error.problem?.code ?? "error"}: ${error.message}`, true); }
}

async function openDocument(documentId) {
  const response = await fetch(`/v1/ops/kyc/documents/${documentId}`, { headers: { authorization: `Bearer ${sessionStorage.getItem("operator-token")}` } });
  if (!response.ok) return show(message, "document unavailable", true);
  window.open(URL.createObjectURL(await response.blob()), "_blank");
}

async function loadKyc() {
  const { players } = await api.call("GET", "/v1/ops/kyc?status=pending");
  const body = $("kyc-table").querySelector("tbody");
  body.replaceChildren();
  for (const p of players) {
    const row = document.createElement("tr");
    row.dataset.playerId = p.player_id;
    row.append(cell(`${p.full_name} <${p.email}>`), cell(p.submitted_at ?? ""));
    const docs = document.createElement("td");
    for (const d of p.documents) {
      const link = document.createElement("button");
      link.textContent = `${d.doc_type} (${d.content_type}, ${d.size} B)`;
      link.addEventListener("click", () => guarded(() => openDocument(d.document_id)));
      docs.append(link);
    }
    const decide = document.createElement("td");
    const reason = Object.assign(document.createElement("input"), { placeholder: "reason", name: "reason" });
    for (const decision of ["approve", "reject"]) {
      const button = Object.assign(document.createElement("button"), { textContent: decision });
      button.addEventListener("click", () => guarded(async () => {
        const result = await api.call("POST", `/v1/ops/kyc/${p.player_id}/decision`, { decision, reason: reason.value });
        show(message, `${p.email}: ${result.kyc_status}`);
        await loadKyc();
      }));
      decide.append(button);
    }
    decide.prepend(reason);
    row.append(docs, decide);
    body.append(row);
  }
}

async function loadGames() {
  const { games } = await api.call("GET", "/v1/games");
  const body = $("games-table").querySelector("tbody");
  body.replaceChildren();
  for (const g of games) {
    const stats = await api.call("GET", `/v1/ops/games/${g.game_id}/stats`);
    const row = document.createElement("tr");
    row.append(cell(g.name), cell(g.rtp_bps), cell(stats.rounds), cell(stats.actual_rtp_bps ?? "–"),
      cell(stats.deviation_bps ?? "–"), cell(stats.z_score ?? "–"));
    const set = document.createElement("td");
    const input = Object.assign(document.createElement("input"), { type: "number", min: 8000, max: 9900, value: g.rtp_bps });
    const button = Object.assign(document.createElement("button"), { textContent: "Save" });
    button.addEventListener("click", () => guarded(async () => {
      await api.call("PUT", `/v1/ops/games/${g.game_id}/rtp`, { rtp_bps: Number(input.value) });
      show(message, `${g.name}: RTP set to ${input.value} bps for new sessions`);
      await loadGames();
    }));
    set.append(input, button);
    row.append(set);
    body.append(row);
  }
}

async function loadAlerts() {
  const { alerts } = await api.call("GET", "/v1/ops/alerts");
  $("alerts").replaceChildren(...alerts.map((a) => Object.assign(document.createElement("li"), { textContent: `${a.created_at} ${a.kind} ${a.subject}: ${a.detail}` })));
}

async function enter() {
  $("ops-auth").hidden = true;
  $("console").hidden = false;
  await Promise.all([section("kyc-table", loadKyc), section("games-table", loadGames), section("alerts", loadAlerts)]);
}

// A section the staff member's role may not use is hidden (403), not an error.
async function section(id, load) {
  try {
    await load();
  } catch (error) {
    if (error.problem?.status === 403) $(id).closest(".card").hidden = true;
    else show(message, `${error.problem?.code ?? "error"}: ${error.message}`, true);
  }
}

$("ops-login").addEventListener("submit", (e) => guarded(async () => {
  e.preventDefault();
  const form = new FormData(e.target);
  await api.login(form.get("email"), form.get("password"), form.get("otp"));
  await enter();
}));
$("kyc-reload").addEventListener("click", () => guarded(loadKyc));
$("exclusions-form").addEventListener("submit", (e) => guarded(async () => {
  e.preventDefault();
  const file = new FormData(e.target).get("file");
  const response = await fetch("/v1/ops/exclusions/import", { method: "POST", body: await file.text(),
    headers: { "content-type": "text/csv", authorization: `Bearer ${sessionStorage.getItem("operator-token")}` } });
  const data = await response.json();
  show(message, response.ok ? `Imported ${data.entries} CPFs; closed ${data.closed_accounts} accounts` : data.detail, !response.ok);
}));

if (api.loggedIn) guarded(enter);
