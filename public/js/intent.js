// The Idempotency-Key belongs to what the person means to do, not to a click: one key per
// filled-in form, the same key when the same request is retried (a lost answer, a double click,
// "try again"), a new key once it has succeeded or once the form says something else.

export class Intent {
  constructor() {
    this.key = null;
    this.body = null;
  }

  /** The key for sending `body`: kept while the body is the same, new when it changed. */
  keyFor(body) {
    const text = JSON.stringify(body);
    if (this.key === null || text !== this.body) {
      this.key = crypto.randomUUID();
      this.body = text;
    }
    return this.key;
  }

  /** The request succeeded: the next one is another intent. */
  done() {
    this.key = null;
    this.body = null;
  }
}
