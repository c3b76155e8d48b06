// Calendar days in a named time zone, as YYYY-MM-DD: a regulatory day in Brazil is a day in
// São Paulo, whatever time zone the staff member's browser is in.

export const BRAZIL_TIME_ZONE = "America/Sao_Paulo";
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day of `instant` in `timeZone`: 2026-12-02T02:00Z is "2026-12-01" in São Paulo. */
export function dayIn(timeZone, instant = new Date()) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(instant);
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** Whether `text` is a real calendar day written YYYY-MM-DD (no 2026-02-30). */
export function isIsoDay(text) {
  const match = ISO_DAY.exec(String(text ?? ""));
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The day `days` calendar days after (negative: before) the YYYY-MM-DD `day`. */
export function addDays(day, days) {
  if (!isIsoDay(day)) throw new RangeError(`not a calendar day: ${day}`);
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** Yesterday in `timeZone` (the last whole day, the default of a daily report). */
export function yesterdayIn(timeZone, instant = new Date()) {
  return addDays(dayIn(timeZone, instant), -1);
}
