// /verify.html: paste a revealed seed and a round list; every game is recomputed in the browser.
import { VerifyInputError, parseRoundsInput, verifyRounds } from "./fairness.js";
import { applyI18n, initI18n, locale, setLocale, t } from "./i18n.js";
import { $, clear, el } from "./ui.js";
import { reportLines } from "./verify-report.js";

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
