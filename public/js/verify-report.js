// A verification report as the player reads it (the game screen and /verify.html share it).
import { t } from "./i18n.js";
import { el } from "./ui.js";

export function reportLines(report, pending) {
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
