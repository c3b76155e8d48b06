// The lifecycle of an AML alert, as the server enforces it (workers/casino/aml.py): an open
// alert goes under review, is closed or reported to COAF; one under review is closed or
// reported; closed and reported are final. The console offers only these moves; the server
// still decides (409 `illegal_transition` when someone else moved the alert first).

export const STATUSES = ["open", "under_review", "closed", "reported"];
export const RISKS = ["low", "medium", "high", "critical"];

const NEXT = {
  open: ["under_review", "closed", "reported"],
  under_review: ["closed", "reported"],
  closed: [],
  reported: [],
};

/** The statuses an alert in `status` may move to, in the order they are offered. */
export function nextStatuses(status) {
  return NEXT[status] ?? [];
}

export const isFinal = (status) => status in NEXT && NEXT[status].length === 0;
