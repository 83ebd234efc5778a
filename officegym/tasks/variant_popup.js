// The `popup` variant's dialog (officegym/tasks/variants.py). `window.__ogPopupConfig` (set just
// before this script) is drawn from the episode's seed; the env calls `__ogPopup.open()` after
// the seeded step. A native modal <dialog>: the rest of the page is inert until it closes, and
// no input inside it reaches the app's own listeners (an app shortcut, an outside click).
(() => {
  const config = window.__ogPopupConfig || {kind: "whats-new", pick: 0};
  const KINDS = {
    "whats-new": {
      title: "What's new",
      lines: ["Threads now load twice as fast.", "Try the new keyboard shortcuts: press ? to see them.",
              "Dark mode is coming next month."],
      buttons: ["Got it"],
    },
    survey: {
      title: "Quick survey",
      lines: ["How likely are you to recommend us to a colleague?",
              "Tell us about your experience in two minutes.", "Help us improve: one question."],
      buttons: ["Take the survey", "Not now"],
    },
    cookies: {
      title: "We value your privacy",
      lines: ["We use cookies to improve your experience.",
              "Cookies help us remember your settings.", "Choose which cookies we may use."],
      buttons: ["Accept all", "Reject all"],
    },
  };
  let opened = false, dialog = null, before = null;
  const close = () => {
    if (!dialog || !dialog.open) return;
    dialog.close();
    dialog.remove();
    // Focus goes back where it was, as a person expects after dismissing a notice. Chromium
    // puts it back itself, but after a click closed the dialog a text field it went back to
    // takes no text (measured: keys arrive, nothing is inserted); focused afresh, it does.
    if (before && before.isConnected && typeof before.focus === "function") {
      before.blur();
      before.focus({preventScroll: true});
    }
  };
  const open = () => {
    if (opened || !document.body) return false;
    opened = true;
    const kind = KINDS[config.kind] || KINDS["whats-new"];
    before = document.activeElement;
    dialog = document.createElement("dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", kind.title);
    dialog.style.cssText = "max-width:420px;padding:20px 24px;border:0;border-radius:12px;" +
      "box-shadow:0 8px 32px rgba(0,0,0,.35);font:14px/1.4 'DejaVu Sans',Arial,sans-serif;";
    const heading = document.createElement("h2");
    heading.textContent = kind.title;
    heading.style.cssText = "margin:0 0 8px;font-size:18px;";
    const text = document.createElement("p");
    text.textContent = kind.lines[config.pick % kind.lines.length];
    const row = document.createElement("div");
    row.style.cssText = "display:flex;gap:8px;justify-content:flex-end;margin-top:16px;";
    for (const label of [...kind.buttons, "Close"]) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", close);
      row.append(b);
    }
    dialog.append(heading, text, row);
    for (const type of ["keydown", "keyup", "keypress", "pointerdown", "pointerup", "mousedown",
                        "mouseup", "click", "dblclick", "contextmenu", "input", "wheel"])
      dialog.addEventListener(type, (e) => {
        e.stopPropagation();
        if (type === "keydown" && e.key === "Escape") { e.preventDefault(); close(); }
      });
    dialog.addEventListener("cancel", (e) => { e.preventDefault(); close(); });
    document.body.append(dialog);
    dialog.showModal();
    return true;
  };
  Object.defineProperty(window, "__ogPopup", {value: Object.freeze({open, close}), configurable: false});
})();
