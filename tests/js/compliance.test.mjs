// The pure parts of the compliance screens: a regulatory day is a day in São Paulo whatever the
// browser's time zone, and the console offers only the AML moves the server allows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BRAZIL_TIME_ZONE, addDays, dayIn, isIsoDay, yesterdayIn } from "../../public/js/calendar.js";
import { isFinal, nextStatuses } from "../../public/js/aml-lifecycle.js";

test("yesterday is counted in São Paulo, not in UTC nor in the browser's zone", () => {
  // 02:30 UTC on 2 December is still 1 December (23:30) in São Paulo.
  const lateEvening = new Date("2026-12-02T02:30:00Z");
  assert.equal(dayIn(BRAZIL_TIME_ZONE, lateEvening), "2026-12-01");
  assert.equal(yesterdayIn(BRAZIL_TIME_ZONE, lateEvening), "2026-11-30");
  assert.equal(yesterdayIn("UTC", lateEvening), "2026-12-01");
  assert.equal(yesterdayIn(BRAZIL_TIME_ZONE, new Date("2026-12-02T03:00:00Z")), "2026-12-01");
});

test("days cross months, years and leap days", () => {
  assert.equal(addDays("2027-01-01", -1), "2026-12-31");
  assert.equal(addDays("2028-03-01", -1), "2028-02-29");
  assert.equal(addDays("2026-03-01", -1), "2026-02-28");
  assert.equal(yesterdayIn(BRAZIL_TIME_ZONE, new Date("2027-01-01T12:00:00Z")), "2026-12-31");
});

test("only real calendar days pass", () => {
  assert.ok(isIsoDay("2026-12-01"));
  for (const bad of ["2026-02-30", "2026-13-01", "01/12/2026", "2026-1-1", "", null, "2026-12-01T00:00"]) {
    assert.equal(isIsoDay(bad), false, String(bad));
  }
  assert.throws(() => addDays("2026-02-30", 1), RangeError);
});

test("an open alert may go under review, be closed or reported; closed and reported are final", () => {
  assert.deepEqual(nextStatuses("open"), ["under_review", "closed", "reported"]);
  assert.deepEqual(nextStatuses("under_review"), ["closed", "reported"]);
  assert.deepEqual(nextStatuses("closed"), []);
  assert.deepEqual(nextStatuses("reported"), []);
  assert.deepEqual(nextStatuses("something_new"), []);
  assert.ok(isFinal("closed") && isFinal("reported") && !isFinal("open") && !isFinal("under_review"));
});
