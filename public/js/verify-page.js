// /verify.html: paste a revealed seed and a round list; every game is recomputed in the browser.
import { VerifyInputError, parseRoundsInput, verifyRounds } from "./fairness.js";
import { applyI18n, initI18n, locale, setLocale, t } from "./i18n.js";
import { $, clear, el } from "./ui.js";

function reportLines(report, pending) {
  const lines = [];
  const games = Object.entries(report.byGame).map(([g, n]) => `${g} ${n}`).join(", ");
  if (report.mismatches.length) {
    lines.push(el("p", { class: "form-error", text: t("verify.mismatch", { count: report.mismatches.length }) }));
    lines.push(el("ul", {}, report.mismatches.map((m) => el("li", {
      text: t("verify.mismatch_line", { nonce: m.nonce, game: m.game_id, field: m.field, expected: JSON.stringify(m.expected), recorded: JSON.stringify(m.recorded) }),
    }))));
  } else {
    lines.push(el("p", { class: "ok", text: t("verify.ok", { count: report.verified, hash: report.seedHash, games }) }));
  }
  if (report.otherSeed) lines.push(el("p", { class: "hint", text: t("verify.other_seed", { count: report.otherSeed }) }));
  if (pending) lines.push(el("p", { class: "hint", text: t("verify.pending", { count: pending }) }));
  return lines;
}

async function start() {
  await initI18n(["site"]);
  $("locale-switch").addEventListener("click", async () => {
    await setLocale(locale() === "pt-BR" ? "en" : "pt-BR");
    applyI18n();
  });
  const form = $("verify-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = clear($("report"));
    try {
      const input = parseRoundsInput(form.elements.rounds.value);
      const seed = form.elements.seed.value.trim() || input.seed || "";
      const report = await verifyRounds(seed, input.rounds, { game: form.elements.game.value || null });
      box.append(...reportLines(report, input.pending));
    } catch (error) {
      const reason = error instanceof VerifyInputError ? error.reason : "json";
      box.append(el("p", { class: "form-error", text: t(`verify.error.${reason}`, { detail: error.detail ?? String(error) }) }));
    }
  });
  document.body.dataset.ready = "1";
}

start();
