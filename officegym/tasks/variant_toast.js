// The `toast` variant's notifications (officegym/tasks/variants.py). `window.__ogToastConfig`
// (set just before this script) is drawn from the episode's seed: each toast's text and corner.
// The env calls `__ogToast.show(i)` after toast i's seeded step and `__ogToast.hide(i)` a seeded
// number of steps later (or never: it stays until dismissed). No timer hides a toast and none
// slides it in: what an observation shows depends on the steps taken, never on wall time.
// A toast is a real element over the page: a click on it is taken and goes no further, as a
// person's click on a notification that covers a link never reaches the link. It is taken on
// the window in the capture phase, by a listener added before any of the page's own (this is a
// document script): no listener of the app sees it, capturing on window or document or not.
(() => {
  const config = window.__ogToastConfig || {toasts: []};
  const corners = {};  // one stack per corner, made when its first toast shows
  const shown = {};    // toast index → its element while it is on the page
  const dismissed = {};  // closed by the person: a later show() never brings it back
  const TAKEN = ["pointerdown", "pointerup", "mousedown", "mouseup", "click", "dblclick",
                 "contextmenu", "auxclick", "touchstart", "touchend"];
  const stack = (corner) => {
    if (corners[corner] && corners[corner].isConnected) return corners[corner];
    const [vertical, horizontal] = corner.split("-");
    const box = document.createElement("div");
    box.dataset.ogVariant = "toast";
    // The stack lets clicks through between toasts; each toast takes its own.
    box.style.cssText = `position:fixed;${vertical}:16px;${horizontal}:16px;z-index:2147483646;` +
      "display:flex;flex-direction:column;gap:8px;pointer-events:none;";
    document.body.append(box);
    return corners[corner] = box;
  };
  const hide = (i) => {
    const toast = shown[i];
    if (!toast) return false;
    delete shown[i];
    toast.remove();
    return true;
  };
  const show = (i) => {
    const spec = config.toasts[i];
    if (!spec || shown[i] || dismissed[i] || !document.body) return false;
    const toast = document.createElement("div");
    toast.dataset.ogToast = String(i);
    toast.setAttribute("role", spec.kind === "message" ? "alert" : "status");
    toast.style.cssText = "pointer-events:auto;box-sizing:border-box;width:340px;min-height:64px;" +
      "display:flex;align-items:flex-start;gap:12px;padding:12px 12px 12px 16px;" +
      "background:#323232;color:#fff;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.35);" +
      "font:14px/1.4 'DejaVu Sans',Arial,sans-serif;cursor:default;";
    const text = document.createElement("div");
    text.style.cssText = "flex:1;";
    const title = document.createElement("strong");
    title.textContent = spec.title;
    title.style.cssText = "display:block;";
    text.append(title);
    if (spec.detail) {
      const detail = document.createElement("span");
      detail.textContent = spec.detail;
      detail.style.cssText = "display:block;color:#d0d0d0;";
      text.append(detail);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Dismiss notification");
    close.style.cssText = "flex:none;width:28px;height:28px;border:0;border-radius:4px;" +
      "background:transparent;color:#fff;font-size:20px;line-height:1;cursor:pointer;";
    toast.append(text, close);
    stack(spec.corner).append(toast);
    shown[i] = toast;
    return true;
  };
  // Everything the pointer does to a toast, its × button included, stops here (the env's own
  // input counters, added earlier on the window, have seen it already).
  const take = (e) => {
    const target = e.target;
    const toast = target instanceof Element ? target.closest("[data-og-toast]") : null;
    if (!toast) return;
    e.stopImmediatePropagation();
    if (!target.closest("button")) return;
    // The focus stays where it was (a text field keeps its caret): a notification's close
    // button is not somewhere a person means to type.
    if (e.type === "mousedown") e.preventDefault();
    if (e.type === "click") {
      const i = Number(toast.dataset.ogToast);
      dismissed[i] = true;
      hide(i);
    }
  };
  for (const type of TAKEN) window.addEventListener(type, take, {capture: true});
  Object.defineProperty(window, "__ogToast", {value: Object.freeze({show, hide}), configurable: false});
})();
