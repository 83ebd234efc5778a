// Injected into every page the recorder watches (after page.js, which gives window.__og).
// Sends each trusted input event to the recorder through the `__ogRecord` binding, with the
// element it went to as the page saw it at that moment. Timestamps are epoch milliseconds.
// `rules` come from the capture policy (CapturePolicy.page_rules): fields to mask beyond
// password fields, and the pause hotkey. Every event says where the page was when it sent it
// (page_url): the recorder drops it if that, or the browser's URL of the page, is excluded.
// Any script of the page can call `__ogRecord` too; see docs/recording.md.
((rules) => {
  if (window.top !== window || window.__ogRecorder) return;
  window.__ogRecorder = true;

  const queue = [];
  function send(event) {
    event.page_url = location.href;
    queue.push(event);
    if (typeof window.__ogRecord !== "function") return;  // bindings arrive with the page
    while (queue.length) window.__ogRecord(queue.shift());
  }
  const when = (e) => performance.timeOrigin + e.timeStamp;
  const MODIFIERS = ["Alt", "Control", "Meta", "Shift"];
  // MouseEvent.button: 0 left, 1 middle, 2 right, 3 back, 4 forward (a mouse's side buttons).
  const BUTTONS = ["left", "middle", "right", "back", "forward"];
  const TARGET_FIELDS = ["selector", "role", "name", "tag", "text", "bbox"];
  function target(info) {
    if (!info) return null;
    const out = {};
    for (const k of TARGET_FIELDS) if (info[k] !== null && info[k] !== undefined) out[k] = info[k];
    return out;
  }
  const og = () => window.__og;

  // The field keys go to: the focused element, inside open shadow roots too.
  function activeField() {
    let e = document.activeElement;
    while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
    return e && e !== document.body ? e : null;
  }
  const maskTokens = new Set(rules.mask_autocomplete);
  const autocompleteOf = (e) =>
    (e && e.getAttribute && (e.getAttribute("autocomplete") || "").trim().toLowerCase().slice(0, 100)) || null;
  // A field the policy masks: its autocomplete names a masked token, or it (or an element
  // around it) matches a masked selector. The recorder checked the selectors parse.
  function policyMasks(e) {
    if (!e || e.nodeType !== 1) return false;
    if ((autocompleteOf(e) || "").split(/\s+/).some((t) => maskTokens.has(t))) return true;
    return rules.mask_selectors.some((s) => { try { return Boolean(e.closest(s)); } catch { return false; } });
  }

  // Moves are sampled at most every MOVE_MS (66 Hz); the last position always gets out, before
  // the next button, key or wheel event or when the pointer rests.
  const MOVE_MS = 15;
  let lastMove = 0;
  let heldMove = null;
  let lastX = null, lastY = null;
  let moveTimer = 0;
  function flushMove() {
    clearTimeout(moveTimer);
    if (heldMove) { send(heldMove); lastMove = heldMove.ts; heldMove = null; }
  }
  const opts = {capture: true, passive: true};
  addEventListener("mousemove", (e) => {
    // Chromium also sends moves at the same spot when the page changes under a resting pointer.
    if (!e.isTrusted || (e.clientX === lastX && e.clientY === lastY)) return;
    lastX = e.clientX; lastY = e.clientY;
    const move = {type: "mouse.move", ts: when(e), x: e.clientX, y: e.clientY,
                  screen: [e.screenX - e.clientX, e.screenY - e.clientY]};
    if (move.ts - lastMove >= MOVE_MS) { heldMove = null; send(move); lastMove = move.ts; return; }
    heldMove = move;
    clearTimeout(moveTimer);
    moveTimer = setTimeout(flushMove, MOVE_MS);
  }, opts);

  function button(e, type) {
    if (!e.isTrusted) return;
    flushMove();
    const event = {type, ts: when(e), x: e.clientX, y: e.clientY,
                   button: BUTTONS[e.button] || "left", click_count: Math.max(1, e.detail || 1)};
    if (type === "mouse.down" && og()) {
      event.target = target(og().describe(e.clientX, e.clientY));
      // What a masked field holds is no target text (a contenteditable shows what was typed).
      if (event.target && policyMasks(document.elementFromPoint(e.clientX, e.clientY))) delete event.target.text;
    }
    send(event);
  }
  addEventListener("mousedown", (e) => button(e, "mouse.down"), opts);
  addEventListener("mouseup", (e) => button(e, "mouse.up"), opts);

  addEventListener("wheel", (e) => {
    if (!e.isTrusted) return;
    flushMove();
    const scale = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? innerHeight : 1;
    send({type: "mouse.wheel", ts: when(e), x: e.clientX, y: e.clientY,
          dx: e.deltaX * scale, dy: e.deltaY * scale});
  }, opts);

  // The pause hotkey is the recorder's, not the page's: the page never sees it, and neither
  // its press nor its release is recorded.
  const hotkey = rules.hotkey;
  let hotkeyDown = null;
  function isHotkey(e) {
    if (!hotkey) return false;
    const mods = MODIFIERS.filter((m) => e.getModifierState(m));
    const same = mods.length === hotkey.modifiers.length && mods.every((m) => hotkey.modifiers.includes(m));
    return same && (e.code === hotkey.code || e.key.toLowerCase() === hotkey.key.toLowerCase());
  }
  function swallowHotkey(e, type) {
    if (type === "key.down" && isHotkey(e)) {
      hotkeyDown = e.code;
      if (!e.repeat) send({type: "pause", ts: when(e)});
    } else if (!(type === "key.up" && hotkeyDown !== null && e.code === hotkeyDown)) {
      return false;
    } else {
      hotkeyDown = null;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    return true;
  }

  // Keys pressed in a password field (or one the policy masks) stay masked when released,
  // wherever the focus went.
  const maskedDown = new Set();
  function key(e, type) {
    if (!e.isTrusted || e.isComposing) return;
    if (swallowHotkey(e, type)) return;
    flushMove();
    const focused = og() ? og().focused() : null;
    const field = activeField();
    const event = {type, ts: when(e), key: e.key, code: e.code,
                   modifiers: MODIFIERS.filter((m) => e.getModifierState(m))};
    let masked = Boolean(focused && focused.password) || policyMasks(field);
    if (type === "key.down" && masked) maskedDown.add(e.code);
    if (type === "key.up" && maskedDown.delete(e.code)) masked = true;
    // What goes into a password field is never sent: not the key, not the physical key.
    if (masked) { event.key = "\u2022"; event.code = null; event.masked = true; }
    if (type === "key.down") {
      event.target = target(focused);
      const autocomplete = autocompleteOf(field);
      if (event.target && autocomplete) event.target.autocomplete = autocomplete;
      if (event.target && masked) delete event.target.text;
    }
    send(event);
  }
  addEventListener("keydown", (e) => key(e, "key.down"), {capture: true});
  addEventListener("keyup", (e) => key(e, "key.up"), {capture: true});

  // How this document came to be (a link, a typed URL, reload, back/forward); first event of all.
  const entry = performance.getEntriesByType("navigation")[0];
  send({type: "load", ts: performance.timeOrigin + performance.now(), url: location.href,
        how: entry ? entry.type : "navigate"});

  // Where the page is: on load, and whenever the app changes the URL in place.
  let lastUrl = null;
  function where() {
    if (location.href === lastUrl) return;
    lastUrl = location.href;
    send({type: "observe", ts: performance.timeOrigin + performance.now(), url: location.href,
          title: document.title});
  }
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name];
    history[name] = function (...args) {
      const out = original.apply(this, args);
      setTimeout(where, 0);
      return out;
    };
  }
  // A history traversal inside the document (the back button on an app that uses pushState).
  addEventListener("popstate", () => {
    send({type: "history", ts: performance.timeOrigin + performance.now(), url: location.href});
    setTimeout(where, 0);
  });
  // Keys still held when focus leaves the page (Ctrl+L, Alt+Tab) are released for the page.
  addEventListener("blur", (e) => {
    if (e.target === window) send({type: "blur", ts: performance.timeOrigin + performance.now()});
  });
  addEventListener("hashchange", where);
  if (document.readyState === "loading") addEventListener("DOMContentLoaded", where);
  else where();

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible")
      send({type: "visible", ts: performance.timeOrigin + performance.now()});
  });
})(__OG_CAPTURE_RULES__);
