// The regulatory reports screen (compliance, admin): a day (by default yesterday in São Paulo,
// the last whole Brazilian day) and a jurisdiction, downloaded as JSON or CSV with the staff
// member's bearer token and saved from a Blob; refusals in words.
import { isMissingEndpoint } from "./api.js";
import { BRAZIL_TIME_ZONE, isIsoDay, yesterdayIn } from "./calendar.js";
import { formatDate, formatNumber, locale, t } from "./i18n.js";
import { $, clear, el } from "./ui.js";

const DAILY = "/v1/ops/reports/daily";
const TYPES = { json: "application/json", csv: "text/csv" };
const PREVIEW_CHARS = 2000;

/** One name per day, jurisdiction and format, whatever the server calls it. */
const fileName = (jurisdiction, date, format) => `relatorio-${jurisdiction}-${date}.${format}`;

/** The day in words ("quarta-feira, 2 de dezembro de 2026"): a date field may show 12/02/2026
 *  in the browser's own format, which a Brazilian reads as the 12th of February. */
function dayInWords(day) {
  if (!isIsoDay(day)) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
}

export function reportsScreen({ api, onSubmit, messageOf, UserError, supports, unavailable }) {
  let url = null;

  function refusal(error, date) {
    if (error?.code === "forbidden" || isMissingEndpoint(error)) return messageOf(error);
    if (error?.status === 404) return t("ops.report_not_found", { date: formatDate(date) });
    if (error?.status === 400 || error?.status === 422) return t("ops.report_refused", { date: formatDate(date) });
    return messageOf(error);
  }

  function save(blob, name) {
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    return url;
  }

  function prepare() {
    const input = $("report-date");
    const last = yesterdayIn(BRAZIL_TIME_ZONE);
    input.max = last;
    if (!input.value) input.value = last;
    $("report-date-words").textContent = dayInWords(input.value);
    const box = $("report-result");
    if (!supports("GET", DAILY)) {
      box.hidden = false;
      unavailable(box, `GET ${DAILY}`);
    } else if (box.querySelector(".callout")) {
      box.hidden = true;
    }
  }

  function setup() {
    $("report-date").addEventListener("input", (event) => {
      $("report-date-words").textContent = dayInWords(event.currentTarget.value);
    });
    onSubmit($("report-form"), async (form, button) => {
      const date = form.elements.date.value;
      const jurisdiction = form.elements.jurisdiction.value;
      const format = button?.value in TYPES ? button.value : "json";
      const last = yesterdayIn(BRAZIL_TIME_ZONE);
      const field = form.elements.date;
      if (!isIsoDay(date) || date > last) {
        field.setAttribute("aria-invalid", "true");
        field.focus();
        throw new UserError(isIsoDay(date) ? t("ops.report_future", { last: formatDate(last) }) : t("ops.report_date_needed"));
      }
      field.removeAttribute("aria-invalid");
      const path = `${DAILY}?${new URLSearchParams({ date, jurisdiction })}`;
      let response;
      try {
        response = await api.get(path, { raw: true, accept: TYPES[format] });
      } catch (error) {
        if (error?.code === "session_ended") throw error;
        throw new UserError(refusal(error, date));
      }
      const blob = await response.blob();
      const name = fileName(jurisdiction, date, format);
      const href = save(blob, name);
      const box = clear($("report-result"));
      box.hidden = false;
      box.append(
        el("h2", { text: t("ops.report_ready_title", { date: formatDate(date), jurisdiction }) }),
        el("p", { role: "status", id: "report-status", text: t("ops.report_ready", { name, size: formatNumber(blob.size) }) }),
        el("p", {}, el("a", { href, download: name, id: "report-link", text: t("ops.report_save", { name }) })),
        el("h3", { id: "report-preview-title", text: t("ops.report_preview") }),
        el("pre", { id: "report-preview", tabindex: "0", "aria-labelledby": "report-preview-title" }, (await blob.text()).slice(0, PREVIEW_CHARS)));
    });
  }

  return { setup, load: prepare };
}
