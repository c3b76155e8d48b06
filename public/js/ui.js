// Small DOM helpers shared by the pages: element building without innerHTML, busy buttons that
// cannot be pressed twice, messages where the eye is (a live region pinned to the top of the
// viewport, errors inside the form that caused them), and modal dialogs (native <dialog>).
import { t } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

/** el("p", {class: "x", text: "hi"}, child...) */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** Run `action` with `button` busy: disabled, aria-busy, "Aguarde…". A second press while it
 *  runs does nothing; the result or error is passed through. */
export async function busy(button, action) {
  if (button.dataset.busy === "1") return undefined;
  const label = button.textContent;
  button.dataset.busy = "1";
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = t("common.wait");
  try {
    return await action();
  } finally {
    button.dataset.busy = "";
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = button.dataset.nextLabel || label;
    delete button.dataset.nextLabel;
  }
}

let noticeTimer = null;
/** A message pinned near the top of the viewport (visible on a phone without scrolling). */
export function notify(text, kind = "info") {
  const region = $("notice");
  if (!region) return;
  clearTimeout(noticeTimer);
  region.hidden = false;
  region.className = `notice notice-${kind}`;
  const body = region.querySelector(".notice-text");
  body.textContent = "";
  // A fresh text node so that screen readers announce a repeated message too.
  requestAnimationFrame(() => {
    body.textContent = text;
  });
  if (kind !== "error") noticeTimer = setTimeout(() => (region.hidden = true), 8000);
}

export function setupNotice() {
  const region = $("notice");
  region?.querySelector("button")?.addEventListener("click", () => (region.hidden = true));
}

/** The form's own error line (role=alert), next to the button that was pressed. */
export function formError(form, text) {
  let line = form.querySelector(".form-error");
  if (!line) {
    line = el("p", { class: "form-error", role: "alert" });
    form.append(line);
  }
  line.textContent = text ?? "";
  line.hidden = !text;
}

/** A modal dialog in the middle of the viewport. `lines` are strings or nodes. With `action`,
 *  the confirm button runs it (busy while it runs); an error stays inside the dialog and the
 *  button becomes "try again" with the same intent. Resolves to the action's result, true when
 *  confirmed without an action, or null when cancelled. */
export function dialog({ title, lines = [], confirmLabel, cancelLabel = t("common.cancel"), danger = false, action, errorText, id = "dialog" }) {
  const box = $(id);
  const heading = box.querySelector(".dialog-title");
  const body = box.querySelector(".dialog-body");
  const error = box.querySelector(".dialog-error");
  const confirm = box.querySelector(".dialog-confirm");
  const cancel = box.querySelector(".dialog-cancel");
  heading.textContent = title;
  clear(body).append(...lines.map((line) => (line instanceof Node ? line : el("p", { text: line }))));
  error.textContent = "";
  error.hidden = true;
  confirm.textContent = confirmLabel ?? t("common.confirm");
  confirm.classList.toggle("danger", danger);
  cancel.hidden = cancelLabel === null;
  cancel.textContent = cancelLabel ?? "";
  return new Promise((resolve) => {
    const finish = (value) => {
      confirm.removeEventListener("click", onConfirm);
      cancel.removeEventListener("click", onCancel);
      box.removeEventListener("cancel", onCancel);
      if (box.open) box.close();
      resolve(value);
    };
    const onCancel = (event) => {
      event?.preventDefault?.();
      if (confirm.dataset.busy === "1") return;
      finish(null);
    };
    const onConfirm = async () => {
      if (!action) return finish(true);
      try {
        const result = await busy(confirm, action);
        if (result !== undefined) finish(result);
      } catch (failure) {
        error.textContent = errorText ? errorText(failure) : String(failure?.message ?? failure);
        error.hidden = false;
        confirm.textContent = t("common.try_again");
        confirm.dataset.nextLabel = t("common.try_again");
      }
    };
    confirm.addEventListener("click", onConfirm);
    cancel.addEventListener("click", onCancel);
    box.addEventListener("cancel", onCancel);
    box.showModal();
    (cancel.hidden ? confirm : cancel).focus();
  });
}

export function dialogMarkup(id = "dialog") {
  return el("dialog", { id, class: "dialog", "aria-labelledby": `${id}-title` },
    el("h2", { class: "dialog-title", id: `${id}-title` }),
    el("div", { class: "dialog-body" }),
    el("p", { class: "dialog-error form-error", role: "alert", hidden: true }),
    el("div", { class: "dialog-actions" },
      el("button", { type: "button", class: "dialog-cancel secondary" }),
      el("button", { type: "button", class: "dialog-confirm" })));
}

/** A definition list from [label, value] pairs. */
export function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.flatMap(([label, value]) => [el("dt", { text: label }), el("dd", {}, value)]));
}

export function table(headers, rows, { caption } = {}) {
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption ?? headers.join(", ") },
    el("table", {},
      caption ? el("caption", { class: "sr-only", text: caption }) : null,
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c)))))));
}
