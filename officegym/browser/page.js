// Injected into every page of an officegym browser context (before the page's own scripts).
// window.__og: settle() waits for the page to be quiet, snapshot() gives the accessibility tree
// text with element ids, element(id) and describe(x, y) resolve targets for actions and events.
(() => {
  if (window.__og) return;
  // Requests in flight, counting a fetch until its body has been read. Each decrement waits one
  // task turn so the code that awaited the request runs (and starts its next one) first.
  let pending = 0;
  const done = () => setTimeout(() => { pending--; }, 0);
  const BODY_READERS = ["text", "json", "blob", "arrayBuffer", "formData"];
  const origFetch = window.fetch;
  window.fetch = function (...args) {
    pending++;
    return origFetch.apply(this, args).then((res) => {
      for (const name of BODY_READERS) {
        const read = res[name].bind(res);
        res[name] = () => { pending++; return read().finally(done); };
      }
      return res;
    }).finally(done);
  };
  const origSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    pending++;
    this.addEventListener("loadend", done, {once: true});
    return origSend.apply(this, args);
  };

  // Input handlers have run by the time the input is acknowledged, so any fetch or navigation
  // they start is already pending here; one task turn lets promise callbacks start theirs.
  // Scrolling runs on the compositor after the wheel input is acknowledged: after a wheel,
  // wait for frames until no element has scrolled for three frames in a row.
  let lastScroll = 0;
  document.addEventListener("scroll", () => { lastScroll = performance.now(); }, {capture: true, passive: true});
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
  async function scrollIdle(end) {
    await nextFrame();
    await nextFrame();
    while (performance.now() < end && performance.now() - lastScroll < 50) await nextFrame();
  }

  async function settle(timeoutMs = 5000, scrolled = false) {
    const end = performance.now() + timeoutMs;
    if (scrolled) await scrollIdle(end);
    await new Promise((r) => setTimeout(r, 0));
    // A fetch's response handler may start another fetch: wait until quiet twice in a row.
    let quiet = 0;
    while (performance.now() < end && quiet < 2) {
      quiet = pending === 0 && document.readyState !== "loading" ? quiet + 1 : 0;
      if (quiet < 2) await new Promise((r) => setTimeout(r, pending ? 4 : 0));
    }
    return pending;
  }

  const IMPLICIT = {
    A: (e) => (e.hasAttribute("href") ? "link" : null), BUTTON: () => "button",
    SELECT: () => "combobox", TEXTAREA: () => "textbox", H1: () => "heading", H2: () => "heading",
    H3: () => "heading", H4: () => "heading", H5: () => "heading", H6: () => "heading",
    UL: () => "list", OL: () => "list", LI: () => "listitem", TABLE: () => "table",
    TR: () => "row", TD: () => "cell", TH: () => "columnheader", NAV: () => "navigation",
    MAIN: () => "main", HEADER: () => "banner", FORM: () => "form", IMG: () => "img",
    DIALOG: () => "dialog", ARTICLE: () => "article", SECTION: (e) => (e.hasAttribute("aria-label") ? "region" : null),
    OPTION: () => "option", SUMMARY: () => "button", LABEL: () => "LabelText", P: () => "paragraph",
    INPUT: (e) => ({checkbox: "checkbox", radio: "radio", button: "button", submit: "button",
                    reset: "button", search: "searchbox", range: "slider", hidden: null}[e.type] ?? "textbox"),
  };
  const NAME_FROM_CONTENT = new Set(["link", "button", "heading", "cell", "columnheader", "option",
    "menuitem", "menuitemcheckbox", "menuitemradio", "tab", "row", "LabelText"]);
  const HAS_CONTROLS = "a[href], button, input, select, textarea, [role], [tabindex]";
  const INTERACTIVE = new Set(["link", "button", "textbox", "searchbox", "checkbox", "radio",
    "combobox", "slider", "option", "menuitem", "menuitemcheckbox", "menuitemradio", "tab", "switch"]);

  const roleOf = (e) => e.getAttribute("role") || (IMPLICIT[e.tagName] ? IMPLICIT[e.tagName](e) : null) ||
    (e.isContentEditable && e.getAttribute("contenteditable") !== null ? "textbox" : null);
  const squash = (s) => (s || "").replace(/\s+/g, " ").trim();

  function nameOf(e, role) {
    const label = e.getAttribute("aria-label");
    if (label) return squash(label);
    const by = e.getAttribute("aria-labelledby");
    if (by) return squash(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent).join(" "));
    if (e.labels && e.labels.length) return squash(e.labels[0].textContent);
    if (e.tagName === "IMG") return squash(e.alt);
    // Named from content only when that content is not read out on its own lines below.
    if (role && NAME_FROM_CONTENT.has(role) && !e.querySelector(HAS_CONTROLS))
      return squash(e.innerText ?? e.textContent).slice(0, 160);
    return squash(e.getAttribute("placeholder") || e.getAttribute("title"));
  }

  function visible(e) {
    if (e.closest("[hidden], [aria-hidden=true]")) return false;
    const s = getComputedStyle(e);
    if (s.display === "none" || s.visibility === "hidden") return false;
    if (s.display === "contents") return true;  // no box of its own; its children have them
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }

  let nextId = 1;
  const idOf = (e) => {
    if (!e.dataset.ogId) e.dataset.ogId = String(nextId++);
    return e.dataset.ogId;
  };

  function states(e, role) {
    const out = [];
    if (document.activeElement === e) out.push("focused");
    if (e.disabled) out.push("disabled");
    if ((role === "checkbox" || role === "radio") && e.checked) out.push("checked");
    for (const a of ["checked", "selected", "expanded", "pressed"]) {
      const v = e.getAttribute("aria-" + a);
      if (v === "true") out.push(a);
    }
    if (e.tagName === "H1" || /^H[2-6]$/.test(e.tagName)) out.push("level=" + e.tagName[1]);
    const description = e.getAttribute("aria-description");
    if (description) out.push("description=" + JSON.stringify(squash(description).slice(0, 200)));
    if ((role === "textbox" || role === "searchbox" || role === "combobox") && "value" in e)
      out.push("value=" + JSON.stringify(e.value.slice(0, 200)));
    if (e.tagName === "SELECT" && e.selectedOptions.length) out.push("value=" + JSON.stringify(e.selectedOptions[0].text));
    return out;
  }

  function snapshot(withCoords = true) {
    const lines = [];
    const ownText = (e, depth) => {
      const own = squash(Array.from(e.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent).join(" "));
      if (own) lines.push(`${"  ".repeat(depth)}StaticText ${JSON.stringify(own.slice(0, 300))}`);
    };
    // Where a click lands on the element: its centre, unless something covers the centre (two
    // overlapping buttons); then the first uncovered point of a grid over its box.
    const clickPoint = (e, r) => {
      const hits = (x, y) => { const h = document.elementFromPoint(x, y); return h && (h === e || e.contains(h)); };
      const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
      if (cx < 0 || cy < 0 || cx >= innerWidth || cy >= innerHeight || hits(cx, cy)) return [cx, cy];
      for (const fy of [0.5, 0.25, 0.75, 0.1, 0.9])
        for (const fx of [0.5, 0.25, 0.75, 0.1, 0.9])
          if (hits(r.x + r.width * fx, r.y + r.height * fy)) return [r.x + r.width * fx, r.y + r.height * fy];
      return [cx, cy];
    };
    const walk = (node, depth) => {
      for (const child of node.children) {
        if (["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "META", "LINK"].includes(child.tagName)) continue;
        if (!visible(child) && child.tagName !== "BODY") continue;
        const role = roleOf(child);
        let next = depth;
        if (role && role !== "generic" && role !== "presentation" && role !== "none") {
          const name = nameOf(child, role);
          const r = child.getBoundingClientRect();
          let line = `${"  ".repeat(depth)}[${idOf(child)}] ${role}${name ? " " + JSON.stringify(name) : ""}`;
          const st = states(child, role);
          if (st.length) line += ", " + st.join(", ");
          // A drop target (aria-dropeffect) is somewhere to point at too, for drag and drop.
          if (withCoords && (INTERACTIVE.has(role) || child.hasAttribute("aria-dropeffect"))) {
            const [cx, cy] = clickPoint(child, r);
            line += `, center=(${Math.round(cx)},${Math.round(cy)})`;
          }
          lines.push(line);
          next = depth + 1;
          // Content-named roles already carry their text; do not repeat it below.
          if (NAME_FROM_CONTENT.has(role) && !child.querySelector(HAS_CONTROLS)) continue;
          if (!name || !NAME_FROM_CONTENT.has(role)) ownText(child, next);
        } else {
          ownText(child, depth);
        }
        walk(child, next);
      }
    };
    walk(document.body || document.documentElement, 0);
    return {text: lines.join("\n"), title: document.title, url: location.href};
  }

  function cssPath(e) {
    const parts = [];
    for (let el = e; el && el.nodeType === 1 && el !== document.documentElement; el = el.parentElement) {
      if (el.id && document.querySelectorAll("#" + CSS.escape(el.id)).length === 1) {
        parts.unshift("#" + CSS.escape(el.id));
        break;
      }
      let part = el.tagName.toLowerCase();
      const same = el.parentElement ? Array.from(el.parentElement.children).filter((c) => c.tagName === el.tagName) : [];
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(el) + 1})`;
      parts.unshift(part);
    }
    return parts.join(" > ");
  }

  function info(e) {
    if (!e) return null;
    const role = roleOf(e);
    const r = e.getBoundingClientRect();
    return {selector: cssPath(e), role, name: nameOf(e, role) || null, tag: e.tagName.toLowerCase(),
            text: squash(e.innerText ?? e.textContent).slice(0, 120) || null,
            bbox: {x: r.x, y: r.y, width: r.width, height: r.height}, id: e.dataset?.ogId || null,
            editable: e.matches("input, textarea, select, [contenteditable]"),
            password: e.tagName === "INPUT" && e.type === "password"};
  }

  // The interactive element a person would say they clicked: the closest one around the point.
  const ACTIONABLE = "a[href], button, input, select, textarea, summary, label, [role], [contenteditable], [tabindex], [onclick]";
  function describe(x, y) {
    const hit = document.elementFromPoint(x, y);
    return info(hit ? hit.closest(ACTIONABLE) || hit : null);
  }
  const focused = () => info(document.activeElement && document.activeElement !== document.body ? document.activeElement : null);

  function element(id) {
    const e = document.querySelector(`[data-og-id="${CSS.escape(String(id))}"]`);
    if (!e) return null;
    e.scrollIntoView({block: "nearest", inline: "nearest"});
    const out = info(e);
    out.visible = visible(e);
    out.isSelect = e.tagName === "SELECT";
    out.options = out.isSelect ? Array.from(e.options).map((o) => o.text) : null;
    return out;
  }

  // Selectors of imported recordings: CSS, or Puppeteer's aria/Name[role="r"], text/…, xpath/…
  // and pierce/… forms. A list is tried in order; the first that matches anything wins.
  function deepAll(root, css) {
    const out = Array.from(root.querySelectorAll(css));
    for (const e of root.querySelectorAll("*")) if (e.shadowRoot) out.push(...deepAll(e.shadowRoot, css));
    return out;
  }
  function query(sel) {
    try {
      if (sel.startsWith("aria/")) {
        const m = /^aria\/(.*?)(?:\[role="([^"]*)"\])?$/.exec(sel);
        const name = squash(m[1]), role = m[2];
        return Array.from(document.querySelectorAll("*")).filter((e) => {
          const r = roleOf(e);  // as in the accessibility tree: labels and plain boxes are not there
          if (!r || r === "LabelText" || r === "generic") return false;
          return (!role || r === role) && (!name || nameOf(e, r) === name);
        });
      }
      if (sel.startsWith("xpath/")) {
        const snap = document.evaluate(sel.slice(6), document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
        return Array.from({length: snap.snapshotLength}, (_, i) => snap.snapshotItem(i)).filter((n) => n.nodeType === 1);
      }
      if (sel.startsWith("text/")) {
        const text = squash(sel.slice(5));
        const all = Array.from(document.body.querySelectorAll("*")).filter((e) => squash(e.innerText ?? e.textContent).includes(text));
        return all.filter((e) => !all.some((o) => o !== e && e.contains(o)));  // the innermost
      }
      if (sel.startsWith("pierce/")) return deepAll(document, sel.slice(7));
      return Array.from(document.querySelectorAll(sel));
    } catch (err) {
      return [];  // not a selector this page can evaluate: it matches nothing
    }
  }
  function locate(selectors) {
    for (const sel of selectors) {
      const found = query(sel);
      if (found.length) return found;
    }
    return [];
  }
  const sameControl = (a, b) => a === b || a.contains(b) || (a.closest(ACTIONABLE) || a) === (b.closest(ACTIONABLE) || b);
  // Where to act on the element the selectors name: scrolled into view, at `offset` from its
  // corner (or its centre); `covered` names what is on top of that point instead, if anything.
  async function resolve(selectors, offset, timeoutMs = 5000) {
    const end = performance.now() + timeoutMs;
    let found = locate(selectors);
    while (!found.length && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      found = locate(selectors);
    }
    if (!found.length) return null;
    const e = found.find(visible) || found[0];
    e.scrollIntoView({block: "nearest", inline: "nearest"});
    const r = e.getBoundingClientRect();
    const x = offset ? r.x + offset[0] : r.x + r.width / 2, y = offset ? r.y + offset[1] : r.y + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    return {x, y, element: info(e), covered: hit && sameControl(e, hit) ? null : info(hit)};
  }
  // Whether the point is over the element the selectors name (imported targets have no role).
  function matchesAt(x, y, selectors) {
    const hit = document.elementFromPoint(x, y);
    return !!hit && locate(selectors).some((e) => sameControl(e, hit));
  }
  function countMatching(selectors, wantVisible, properties, attributes) {
    return locate(selectors).filter((e) => (wantVisible == null || visible(e) === wantVisible) &&
      Object.entries(properties || {}).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v)) &&
      Object.entries(attributes || {}).every(([k, v]) => e.getAttribute(k) === v)).length;
  }
  // Text for the element the selectors name: a <select> takes the option whose value or label
  // it is (as a person picking it would); another field gets the focus for typing.
  function prepareText(selectors, value) {
    const e = locate(selectors)[0];
    if (!e) return null;
    if (e.tagName === "SELECT") {
      const option = Array.from(e.options).find((o) => o.value === value) || Array.from(e.options).find((o) => o.text.trim() === value);
      if (!option) return {select: true, options: Array.from(e.options).map((o) => o.value)};
      e.value = option.value;
      e.dispatchEvent(new Event("input", {bubbles: true}));
      e.dispatchEvent(new Event("change", {bubbles: true}));
      return {select: true, chosen: option.value};
    }
    if (document.activeElement !== e) e.focus();
    return {select: false, focused: document.activeElement === e};
  }

  // A new episode in the same page (MiniWoB++ restarts in place) numbers its elements from 1
  // again, as a freshly loaded page does: the same seed gives the same tree.
  function renumber() {
    for (const e of document.querySelectorAll("[data-og-id]")) delete e.dataset.ogId;
    nextId = 1;
  }
  // OS-level input (xdotool on the xvfb backend) arrives through the window system, not through
  // the driver: the env waits until the page has counted what it sent, and learns where the
  // viewport sits on the screen from a pointer move.
  let inputs = 0;
  let screenOffset = null;
  for (const type of ["mousedown", "mouseup", "keydown", "keyup", "wheel"]) {
    window.addEventListener(type, (e) => { if (e.isTrusted) inputs++; }, {capture: true, passive: true});
  }
  window.addEventListener("mousemove", (e) => {
    if (e.isTrusted) screenOffset = [e.screenX - e.clientX, e.screenY - e.clientY];
  }, {capture: true, passive: true});
  const inputState = () => ({inputs, screenOffset});

  // Tabs this page asked to open (a link with a target, window.open) since the last look: the
  // env waits for them after a step instead of racing the browser's report of a new page.
  let popups = 0;
  const origOpen = window.open;
  window.open = function (...args) {
    const opened = origOpen.apply(this, args);
    if (opened) popups++;
    return opened;
  };
  window.addEventListener("click", (e) => {
    const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
    const target = a ? (a.getAttribute("target") || "").toLowerCase() : "";
    if (target && !e.defaultPrevented && !["_self", "_top", "_parent"].includes(target)) popups++;
  });
  const takePopups = () => { const n = popups; popups = 0; return n; };

  window.__og = {settle, snapshot, takePopups, describe, focused, element, renumber, inputState, resolve,
    matchesAt, countMatching, prepareText};
})();
