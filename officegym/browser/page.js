// Injected into every page of an officegym browser context (before the page's own scripts).
// window.__og: settle() waits for the page to be quiet, snapshot() gives the accessibility tree
// text with element ids, element(id) and describe(x, y) resolve targets for actions and events.
//
// The page's scripts run after this one, in the same world, and an agent can make a page run
// script of its choosing: nothing here may depend on what they can replace. So window.__og is a
// read-only, non-configurable property holding a frozen object, and the code below calls only
// the built-ins it took before any page script ran: it looks up no method or accessor later,
// uses no iterator (for…of, spread and destructuring of arrays) and no regular expression, and
// the objects it makes have no prototype (nothing the page defines on Object.prototype is read)
// except its promises, which carry their own `constructor` (what `await` reads).
(() => {
  if (window.__og) return;

  // ---- the built-ins, as they are before the page runs -------------------------------------
  const {bind, call} = Function.prototype;
  const uncurry = (f) => bind.call(call, f);  // uncurry(f)(self, ...args) calls f on self
  const apply = Reflect.apply, defineProperty = Reflect.defineProperty, freeze = Object.freeze;
  const descriptor = Object.getOwnPropertyDescriptor, entries = Object.entries;
  const getter = (proto, name) => uncurry(descriptor(proto, name).get);
  const method = (proto, name) => uncurry(proto[name]);
  const P = Promise, Ev = Event, Str = String, stringify = JSON.stringify, round = Math.round;
  const cssEscape = CSS.escape;
  const setTimer = bind.call(setTimeout, window), onFrame = bind.call(requestAnimationFrame, window);
  const now = bind.call(performance.now, performance), timeOrigin = performance.timeOrigin;
  const computedStyle = bind.call(getComputedStyle, window);
  const cssValue = method(CSSStyleDeclaration.prototype, "getPropertyValue");
  const viewWidth = getter(window, "innerWidth"), viewHeight = getter(window, "innerHeight");
  const viewport = visualViewport, pageLeft = getter(VisualViewport.prototype, "pageLeft");
  const pageTop = getter(VisualViewport.prototype, "pageTop");
  const listen = method(EventTarget.prototype, "addEventListener");
  const unlisten = method(EventTarget.prototype, "removeEventListener");
  const dispatch = method(EventTarget.prototype, "dispatchEvent");
  const eventTarget = getter(Event.prototype, "target");
  const defaultPrevented = getter(Event.prototype, "defaultPrevented");
  const [screenX, screenY, clientX, clientY] = ["screenX", "screenY", "clientX", "clientY"].map(
    (name) => getter(MouseEvent.prototype, name));
  const D = Document.prototype, N = Node.prototype, E = Element.prototype, H = HTMLElement.prototype;
  const doc = document, body = getter(D, "body"), root = getter(D, "documentElement");
  const title = getter(D, "title"), readyState = getter(D, "readyState");
  const activeElement = getter(D, "activeElement"), atPoint = method(D, "elementFromPoint");
  const byId = method(D, "getElementById"), xpath = method(D, "evaluate");
  const docQuery = method(D, "querySelector"), docQueryAll = method(D, "querySelectorAll");
  const elQuery = method(E, "querySelector"), elQueryAll = method(E, "querySelectorAll");
  const fragQueryAll = method(DocumentFragment.prototype, "querySelectorAll");
  const nodeType = getter(N, "nodeType"), childNodes = getter(N, "childNodes");
  const textContent = getter(N, "textContent"), parent = getter(N, "parentElement");
  const contains = method(N, "contains");
  const children = getter(E, "children"), tagName = getter(E, "tagName"), elId = getter(E, "id");
  const namespace = getter(E, "namespaceURI"), shadowRoot = getter(E, "shadowRoot");
  const getAttr = method(E, "getAttribute"), hasAttr = method(E, "hasAttribute");
  const setAttr = method(E, "setAttribute"), removeAttr = method(E, "removeAttribute");
  const closest = method(E, "closest"), matches = method(E, "matches");
  const rectOf = method(E, "getBoundingClientRect"), scrollIntoView = method(E, "scrollIntoView");
  const innerText = getter(H, "innerText"), contentEditable = getter(H, "isContentEditable");
  const focusHtml = method(H, "focus"), focusSvg = method(SVGElement.prototype, "focus");
  const listLength = getter(NodeList.prototype, "length");
  const collectionLength = getter(HTMLCollection.prototype, "length");
  const R = DOMRectReadOnly.prototype;
  const rectX = getter(R, "x"), rectY = getter(R, "y");
  const rectWidth = getter(R, "width"), rectHeight = getter(R, "height");
  const snapshotLength = getter(XPathResult.prototype, "snapshotLength");
  const snapshotItem = method(XPathResult.prototype, "snapshotItem");
  const S = String.prototype;
  const slice = method(S, "slice"), startsWith = method(S, "startsWith"), endsWith = method(S, "endsWith");
  const includes = method(S, "includes"), indexOf = method(S, "indexOf"), lower = method(S, "toLowerCase");
  const repeat = method(S, "repeat"), trim = method(S, "trim");
  const setSelectValue = uncurry(descriptor(HTMLSelectElement.prototype, "value").set);
  // Properties of form fields, read with the getters of each element's own interface.
  const FIELDS = {__proto__: null};
  const fields = (iface, tag, names) => { for (const n of names) FIELDS[tag + " " + n] = getter(iface.prototype, n); };
  fields(HTMLInputElement, "INPUT", ["disabled", "checked", "value", "type", "labels"]);
  fields(HTMLTextAreaElement, "TEXTAREA", ["disabled", "value", "labels"]);
  fields(HTMLSelectElement, "SELECT", ["disabled", "value", "labels", "options", "selectedOptions"]);
  fields(HTMLButtonElement, "BUTTON", ["disabled", "value", "type", "labels"]);
  fields(HTMLOptionElement, "OPTION", ["disabled", "value", "text"]);
  fields(HTMLOutputElement, "OUTPUT", ["value", "labels"]);
  fields(HTMLFieldSetElement, "FIELDSET", ["disabled"]);
  fields(HTMLOptGroupElement, "OPTGROUP", ["disabled"]);
  fields(HTMLImageElement, "IMG", ["alt"]);
  const prop = (e, name) => { const get = FIELDS[tagName(e) + " " + name]; return get ? get(e) : undefined; };
  const hasProp = (e, name) => FIELDS[tagName(e) + " " + name] !== undefined;
  const set = (names) => { const s = {__proto__: null}; for (const n of names) s[n] = true; return s; };

  // Helpers on those built-ins.
  const XHTML = "http://www.w3.org/1999/xhtml";
  const isHtml = (e) => namespace(e) === XHTML;
  const textOf = (e) => (isHtml(e) ? innerText(e) : textContent(e));
  const SVG = "http://www.w3.org/2000/svg";
  const focus = (e) => (isHtml(e) ? focusHtml(e) : namespace(e) === SVG ? focusSvg(e) : undefined);
  const queryAll = (scope, css) => {
    const type = nodeType(scope);
    return type === 9 ? docQueryAll(scope, css) : type === 11 ? fragQueryAll(scope, css) : elQueryAll(scope, css);
  };
  const box = (e) => {
    const r = rectOf(e);
    return {__proto__: null, x: rectX(r), y: rectY(r), width: rectWidth(r), height: rectHeight(r)};
  };
  // Arrays are filled by definition, not assignment: a setter on Array.prototype is not called.
  const put = (list, value) => {
    defineProperty(list, list.length, {__proto__: null, value, writable: true, enumerable: true, configurable: true});
    return list;
  };
  const toList = (nodes) => { const out = []; for (let i = 0, n = listLength(nodes); i < n; i++) put(out, nodes[i]); return out; };
  // `await p` reads p.constructor: with its own, the page's Promise.prototype is not consulted.
  const own = (p) => {
    if (p !== null && typeof p === "object") defineProperty(p, "constructor", {__proto__: null, value: P});
    return p;
  };
  // One of the promises made here (awaiting anything else could call the page's `then`).
  const ours = (p) => p !== null && typeof p === "object" && descriptor(p, "constructor")?.value === P;
  const sleep = (ms) => own(new P((resolve) => { setTimer(resolve, ms); }));
  const nextFrame = () => own(new P((resolve) => { onFrame(() => resolve()); }));
  const NEAREST = freeze({__proto__: null, block: "nearest", inline: "nearest"});
  const BUBBLES = freeze({__proto__: null, bubbles: true});
  const PASSIVE = freeze({__proto__: null, capture: true, passive: true});
  // What \s matches; squash(s, max) is s.replace(/\s+/g, " ").trim().slice(0, max), stopping early.
  const SPACE = set([..." \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"]);
  function squash(s, max = Infinity) {
    if (!s) return "";
    s = "" + s;
    let out = "", gap = false;
    for (let i = 0, n = s.length; i < n && out.length < max; i++) {
      const c = s[i];
      if (SPACE[c] === true) gap = out !== "";
      else {
        if (gap) { out += " "; gap = false; if (out.length >= max) break; }
        out += c;
      }
    }
    return out;
  }

  // ---- settling ------------------------------------------------------------------------------
  // Requests in flight, counting a fetch until its body has been read. Each decrement waits one
  // task turn so the code that awaited the request runs (and starts its next one) first.
  let pending = 0;
  const done = () => setTimer(() => { pending--; }, 0);
  const BODY_READERS = ["text", "json", "blob", "arrayBuffer", "formData"];
  const countReads = (res) => {
    for (let i = 0; i < BODY_READERS.length; i++) {
      const name = BODY_READERS[i], read = res[name];  // the page's own, as its code would get it
      const counted = async () => { pending++; try { return await own(apply(read, res, [])); } finally { done(); } };
      defineProperty(res, name, {__proto__: null, value: counted, writable: true, configurable: true});
    }
  };
  const origFetch = window.fetch;
  window.fetch = function (...args) {
    pending++;
    return (async () => {
      try {
        const res = await own(apply(origFetch, this, args));
        countReads(res);
        return res;
      } finally {
        done();
      }
    })();
  };
  const origSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    const end = () => done();
    listen(this, "loadend", end, {__proto__: null, once: true});
    pending++;
    try {
      return apply(origSend, this, args);
    } catch (err) {  // not sent: no loadend will come
      unlisten(this, "loadend", end, {__proto__: null, once: true});
      pending--;
      throw err;
    }
  };

  // Input handlers have run by the time the input is acknowledged, so any fetch or navigation
  // they start is already pending here; one task turn lets promise callbacks start theirs.
  // Scrolling runs on the compositor after the wheel input is acknowledged: after a wheel,
  // wait for frames until no element has scrolled for three frames in a row.
  let lastScroll = 0;
  listen(doc, "scroll", () => { lastScroll = now(); }, PASSIVE);
  async function scrollIdle(end) {
    await nextFrame();
    await nextFrame();
    while (now() < end && now() - lastScroll < 50) await nextFrame();
  }

  async function settle(timeoutMs = 5000, scrolled = false) {
    const end = now() + timeoutMs;
    if (scrolled) await own(scrollIdle(end));
    await sleep(0);
    // A fetch's response handler may start another fetch: wait until quiet twice in a row.
    let quiet = 0;
    while (now() < end && quiet < 2) {
      quiet = pending === 0 && readyState(doc) !== "loading" ? quiet + 1 : 0;
      if (quiet < 2) await sleep(pending ? 4 : 0);
    }
    return pending;
  }

  // ---- the accessibility tree ----------------------------------------------------------------
  const INPUT_ROLES = {__proto__: null, checkbox: "checkbox", radio: "radio", button: "button",
    submit: "button", reset: "button", search: "searchbox", range: "slider", hidden: null};
  const IMPLICIT = {
    __proto__: null,
    A: (e) => (hasAttr(e, "href") ? "link" : null), BUTTON: () => "button",
    SELECT: () => "combobox", TEXTAREA: () => "textbox", H1: () => "heading", H2: () => "heading",
    H3: () => "heading", H4: () => "heading", H5: () => "heading", H6: () => "heading",
    UL: () => "list", OL: () => "list", LI: () => "listitem", TABLE: () => "table",
    TR: () => "row", TD: () => "cell", TH: () => "columnheader", NAV: () => "navigation",
    MAIN: () => "main", HEADER: () => "banner", FORM: () => "form", IMG: () => "img",
    DIALOG: () => "dialog", ARTICLE: () => "article", SECTION: (e) => (hasAttr(e, "aria-label") ? "region" : null),
    OPTION: () => "option", SUMMARY: () => "button", LABEL: () => "LabelText", P: () => "paragraph",
    INPUT: (e) => INPUT_ROLES[prop(e, "type")] ?? "textbox",
  };
  const LEVEL = {__proto__: null, H1: "1", H2: "2", H3: "3", H4: "4", H5: "5", H6: "6"};
  const NAME_FROM_CONTENT = set(["link", "button", "heading", "cell", "columnheader", "option",
    "menuitem", "menuitemcheckbox", "menuitemradio", "tab", "row", "LabelText"]);
  const HAS_CONTROLS = "a[href], button, input, select, textarea, [role], [tabindex]";
  const INTERACTIVE = set(["link", "button", "textbox", "searchbox", "checkbox", "radio",
    "combobox", "slider", "option", "menuitem", "menuitemcheckbox", "menuitemradio", "tab", "switch"]);
  const SKIPPED = set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "META", "LINK"]);
  const ARIA_STATES = ["checked", "selected", "expanded", "pressed", "modal"];

  // The tree's line grammar is `[id] role "name"…`: a role or an id the page wrote (role="…",
  // a data-og-id set before ours) is kept only if it is one word, so it cannot start a line of
  // its own or pass for another element's id.
  const WORD = set([..."abcdefghijklmnopqrstuvwxyz0123456789-_"]);
  const DIGITS = set([..."0123456789"]);
  function onlyOf(chars, s, max) {
    if (!s || s.length > max) return false;
    for (let i = 0, n = s.length; i < n; i++) if (chars[s[i]] !== true) return false;
    return true;
  }
  // role="switch checkbox": the first token, as ARIA reads a list of roles.
  const roleAttr = (e) => {
    const words = lower(squash(getAttr(e, "role"), 80)), gap = indexOf(words, " ");
    const first = gap < 0 ? words : slice(words, 0, gap);
    return onlyOf(WORD, first, 40) ? first : null;
  };
  const roleOf = (e) => {
    const implicit = IMPLICIT[tagName(e)];
    return roleAttr(e) || (implicit ? implicit(e) : null) ||
      (isHtml(e) && contentEditable(e) && hasAttr(e, "contenteditable") ? "textbox" : null);
  };
  const contentNamed = (e, role) => role && NAME_FROM_CONTENT[role] === true && !elQuery(e, HAS_CONTROLS);

  // The text of the elements aria-labelledby names, space-separated.
  function labelledBy(ids) {
    let out = "", id = "";
    for (let i = 0; i <= ids.length; i++) {
      const c = i < ids.length ? ids[i] : " ";
      if (SPACE[c] !== true) { id += c; continue; }
      if (id) { const e = byId(doc, id); out += " " + (e ? textContent(e) : ""); id = ""; }
    }
    return out;
  }

  function nameOf(e, role) {
    const label = getAttr(e, "aria-label");
    if (label) return squash(label);
    const by = getAttr(e, "aria-labelledby");
    if (by) return squash(labelledBy(by));
    const labels = prop(e, "labels");
    if (labels && listLength(labels)) return squash(textContent(labels[0]));
    if (tagName(e) === "IMG") return squash(prop(e, "alt"));
    // Named from content only when that content is not read out on its own lines below.
    if (contentNamed(e, role)) return squash(textOf(e), 160);
    return squash(getAttr(e, "placeholder") || getAttr(e, "title"));
  }

  function visible(e) {
    if (closest(e, "[hidden], [aria-hidden=true]")) return false;
    const style = computedStyle(e), display = cssValue(style, "display");
    if (display === "none" || cssValue(style, "visibility") === "hidden") return false;
    if (display === "contents") return true;  // no box of its own; its children have them
    const r = rectOf(e);
    return rectWidth(r) > 0 && rectHeight(r) > 0;
  }

  let nextId = 1;
  const idOf = (e) => {
    let id = getAttr(e, "data-og-id");
    if (!onlyOf(DIGITS, id, 9)) { id = Str(nextId++); setAttr(e, "data-og-id", id); }
    return id;
  };

  // ", focused, checked, value=…": the element's states, as the tree line's tail.
  function states(e, role) {
    let out = "";
    if (activeElement(doc) === e) out += ", focused";
    if (prop(e, "disabled")) out += ", disabled";
    if ((role === "checkbox" || role === "radio") && prop(e, "checked")) out += ", checked";
    for (let i = 0; i < ARIA_STATES.length; i++)
      if (getAttr(e, "aria-" + ARIA_STATES[i]) === "true") out += ", " + ARIA_STATES[i];
    const tag = tagName(e);
    if (LEVEL[tag]) out += ", level=" + LEVEL[tag];
    const description = getAttr(e, "aria-description");
    if (description) out += ", description=" + stringify(squash(description, 200));
    if ((role === "textbox" || role === "searchbox" || role === "combobox") && hasProp(e, "value"))
      out += ", value=" + stringify(slice(prop(e, "value"), 0, 200));
    if (tag === "SELECT") {
      const chosen = prop(e, "selectedOptions");
      if (collectionLength(chosen)) out += ", value=" + stringify(prop(chosen[0], "text"));
    }
    return out;
  }

  // Where a click lands on the element: its centre, unless something covers the centre (two
  // overlapping buttons); then the first uncovered point of a grid over its box.
  const GRID = [0.5, 0.25, 0.75, 0.1, 0.9];
  function clickPoint(e, r) {
    const hits = (x, y) => { const h = atPoint(doc, x, y); return h && (h === e || contains(e, h)); };
    const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
    if (cx < 0 || cy < 0 || cx >= viewWidth(window) || cy >= viewHeight(window) || hits(cx, cy)) return `(${round(cx)},${round(cy)})`;
    for (let j = 0; j < GRID.length; j++)
      for (let i = 0; i < GRID.length; i++) {
        const x = r.x + r.width * GRID[i], y = r.y + r.height * GRID[j];
        if (hits(x, y)) return `(${round(x)},${round(y)})`;
      }
    return `(${round(cx)},${round(cy)})`;
  }

  function snapshot(withCoords = true) {
    let text = "", lines = 0;
    const line = (s) => { text += (lines++ ? "\n" : "") + s; };
    const ownText = (e, depth) => {
      let joined = "";
      const nodes = childNodes(e);
      for (let i = 0, n = listLength(nodes); i < n; i++)
        if (nodeType(nodes[i]) === 3) joined += " " + textContent(nodes[i]);
      const own = squash(joined, 300);
      if (own) line(`${repeat("  ", depth)}StaticText ${stringify(own)}`);
    };
    const walk = (node, depth) => {
      const kids = children(node);
      for (let i = 0; i < collectionLength(kids); i++) {
        const child = kids[i], tag = tagName(child);
        if (SKIPPED[tag] === true) continue;
        if (!visible(child) && tag !== "BODY") continue;
        const role = roleOf(child);
        let next = depth;
        if (role && role !== "generic" && role !== "presentation" && role !== "none") {
          const name = nameOf(child, role);
          let row = `${repeat("  ", depth)}[${idOf(child)}] ${role}${name ? " " + stringify(name) : ""}`;
          row += states(child, role);
          // A drop target (aria-dropeffect) is somewhere to point at too, for drag and drop.
          if (withCoords && (INTERACTIVE[role] === true || hasAttr(child, "aria-dropeffect")))
            row += ", center=" + clickPoint(child, box(child));
          line(row);
          next = depth + 1;
          // Content-named roles already carry their text; do not repeat it below.
          if (contentNamed(child, role)) continue;
          if (!name || NAME_FROM_CONTENT[role] !== true) ownText(child, next);
        } else {
          ownText(child, depth);
        }
        walk(child, next);
      }
    };
    walk(body(doc) || root(doc), 0);
    return {__proto__: null, text, title: title(doc), url: location.href};
  }

  // ---- targets -------------------------------------------------------------------------------
  function cssPath(e) {
    let path = "";
    const prepend = (part) => { path = path ? part + " > " + path : part; };
    for (let el = e; el && nodeType(el) === 1 && el !== root(doc); el = parent(el)) {
      const id = elId(el);
      if (id && listLength(docQueryAll(doc, "#" + cssEscape(id))) === 1) {
        prepend("#" + cssEscape(id));
        break;
      }
      const tag = tagName(el), up = parent(el);
      let part = lower(tag);
      if (up) {
        let same = 0, index = 0;
        const kids = children(up);
        for (let i = 0, n = collectionLength(kids); i < n; i++) {
          if (tagName(kids[i]) !== tag) continue;
          same++;
          if (kids[i] === el) index = same;
        }
        if (same > 1) part += `:nth-of-type(${index})`;
      }
      prepend(part);
    }
    return path;
  }

  function info(e) {
    if (!e) return null;
    const role = roleOf(e), bbox = box(e), tag = tagName(e);
    return {__proto__: null, selector: cssPath(e), role, name: nameOf(e, role) || null, tag: lower(tag),
            text: squash(textOf(e), 120) || null, bbox, id: getAttr(e, "data-og-id") || null,
            editable: matches(e, "input, textarea, select, [contenteditable]"),
            password: tag === "INPUT" && prop(e, "type") === "password"};
  }

  // The interactive element a person would say they clicked: the closest one around the point.
  const ACTIONABLE = "a[href], button, input, select, textarea, summary, label, [role], [contenteditable], [tabindex], [onclick]";
  function describe(x, y) {
    const hit = atPoint(doc, x, y);
    return info(hit ? closest(hit, ACTIONABLE) || hit : null);
  }
  const focused = () => {
    const e = activeElement(doc);
    return info(e && e !== body(doc) ? e : null);
  };

  function element(id) {
    const e = docQuery(doc, `[data-og-id="${cssEscape(Str(id))}"]`);
    if (!e) return null;
    scrollIntoView(e, NEAREST);
    const described = info(e), isSelect = tagName(e) === "SELECT";
    let options = null;
    if (isSelect) {
      const all = prop(e, "options");
      options = [];
      for (let i = 0, n = collectionLength(all); i < n; i++) put(options, prop(all[i], "text"));
    }
    return {__proto__: null, ...described, visible: visible(e), isSelect, options};
  }

  // Selectors of imported recordings: CSS, or Puppeteer's aria/Name[role="r"], text/…, xpath/…
  // and pierce/… forms. A list is tried in order; the first that matches anything wins.
  function deepAll(scope, css, out) {
    const found = queryAll(scope, css);
    for (let i = 0, n = listLength(found); i < n; i++) put(out, found[i]);
    const all = queryAll(scope, "*");
    for (let i = 0, n = listLength(all); i < n; i++) {
      const shadow = shadowRoot(all[i]);
      if (shadow) deepAll(shadow, css, out);
    }
    return out;
  }
  // aria/Name[role="r"]: the name, and the role if the selector ends with one.
  function ariaParts(sel) {
    const rest = slice(sel, 5);
    for (let at = indexOf(rest, '[role="'); at >= 0; at = indexOf(rest, '[role="', at + 1)) {
      const role = slice(rest, at + 7);
      if (endsWith(role, '"]') && indexOf(role, '"') === role.length - 2)
        return {__proto__: null, name: slice(rest, 0, at), role: slice(role, 0, -2)};
    }
    return {__proto__: null, name: rest, role: undefined};
  }
  const LINE_BREAKS = ["\n", "\r", "\u2028", "\u2029"];  // `.` in the old regex stopped there
  function query(sel) {
    try {
      if (startsWith(sel, "aria/")) {
        for (let i = 0; i < LINE_BREAKS.length; i++) if (includes(sel, LINE_BREAKS[i])) return [];
        const parts = ariaParts(sel), name = squash(parts.name), role = parts.role;
        const all = docQueryAll(doc, "*"), out = [];
        for (let i = 0, n = listLength(all); i < n; i++) {
          const e = all[i], r = roleOf(e);  // as in the accessibility tree: labels and plain boxes are not there
          if (!r || r === "LabelText" || r === "generic") continue;
          if ((!role || r === role) && (!name || nameOf(e, r) === name)) put(out, e);
        }
        return out;
      }
      if (startsWith(sel, "xpath/")) {
        const snap = xpath(doc, slice(sel, 6), doc, null, 7 /* ORDERED_NODE_SNAPSHOT_TYPE */, null);
        const out = [];
        for (let i = 0, n = snapshotLength(snap); i < n; i++) {
          const node = snapshotItem(snap, i);
          if (nodeType(node) === 1) put(out, node);
        }
        return out;
      }
      if (startsWith(sel, "text/")) {
        const text = squash(slice(sel, 5)), all = elQueryAll(body(doc), "*"), hits = [], out = [];
        for (let i = 0, n = listLength(all); i < n; i++) if (includes(squash(textOf(all[i])), text)) put(hits, all[i]);
        for (let i = 0; i < hits.length; i++) {  // the innermost
          let inner = true;
          for (let j = 0; j < hits.length && inner; j++) inner = hits[j] === hits[i] || !contains(hits[i], hits[j]);
          if (inner) put(out, hits[i]);
        }
        return out;
      }
      if (startsWith(sel, "pierce/")) return deepAll(doc, slice(sel, 7), []);
      return toList(docQueryAll(doc, sel));
    } catch (err) {
      return [];  // not a selector this page can evaluate: it matches nothing
    }
  }
  function locate(selectors) {
    for (let i = 0; i < selectors.length; i++) {
      const found = query(selectors[i]);
      if (found.length) return found;
    }
    return [];
  }
  const sameControl = (a, b) => a === b || contains(a, b) || (closest(a, ACTIONABLE) || a) === (closest(b, ACTIONABLE) || b);
  // Where to act on the element the selectors name: scrolled into view, at `offset` from its
  // corner (or its centre); `covered` names what is on top of that point instead, if anything.
  async function resolve(selectors, offset, timeoutMs = 5000) {
    const end = now() + timeoutMs;
    let found = locate(selectors);
    while (!found.length && now() < end) {
      await sleep(50);
      found = locate(selectors);
    }
    if (!found.length) return null;
    let e = found[0];
    for (let i = 0; i < found.length; i++) if (visible(found[i])) { e = found[i]; break; }
    scrollIntoView(e, NEAREST);
    const r = box(e);
    const x = offset ? r.x + offset[0] : r.x + r.width / 2, y = offset ? r.y + offset[1] : r.y + r.height / 2;
    const hit = atPoint(doc, x, y);
    return {__proto__: null, x, y, element: info(e), covered: hit && sameControl(e, hit) ? null : info(hit)};
  }
  // Whether the point is over the element the selectors name (imported targets have no role).
  function matchesAt(x, y, selectors) {
    const hit = atPoint(doc, x, y);
    if (!hit) return false;
    const found = locate(selectors);
    for (let i = 0; i < found.length; i++) if (sameControl(found[i], hit)) return true;
    return false;
  }
  function countMatching(selectors, wantVisible, properties, attributes) {
    const found = locate(selectors), props = entries(properties || {}), attrs = entries(attributes || {});
    let count = 0;
    for (let i = 0; i < found.length; i++) {
      const e = found[i];
      let ok = wantVisible == null || visible(e) === wantVisible;
      for (let j = 0; ok && j < props.length; j++) {
        const k = props[j][0], value = hasProp(e, k) ? prop(e, k) : e[k];
        ok = stringify(value) === stringify(props[j][1]);
      }
      for (let j = 0; ok && j < attrs.length; j++) ok = getAttr(e, attrs[j][0]) === attrs[j][1];
      if (ok) count++;
    }
    return count;
  }
  // Text for the element the selectors name: a <select> takes the option whose value or label
  // it is (as a person picking it would); another field gets the focus for typing.
  function prepareText(selectors, value) {
    const e = locate(selectors)[0];
    if (!e) return null;
    if (tagName(e) === "SELECT") {
      const all = prop(e, "options"), n = collectionLength(all);
      let option = null;
      for (let i = 0; i < n && !option; i++) if (prop(all[i], "value") === value) option = all[i];
      for (let i = 0; i < n && !option; i++) if (trim(prop(all[i], "text")) === value) option = all[i];
      if (!option) {
        const values = [];
        for (let i = 0; i < n; i++) put(values, prop(all[i], "value"));
        return {__proto__: null, select: true, options: values};
      }
      setSelectValue(e, prop(option, "value"));
      dispatch(e, new Ev("input", BUBBLES));
      dispatch(e, new Ev("change", BUBBLES));
      return {__proto__: null, select: true, chosen: prop(option, "value")};
    }
    if (activeElement(doc) !== e) focus(e);
    return {__proto__: null, select: false, focused: activeElement(doc) === e};
  }

  // A new episode in the same page (MiniWoB++ restarts in place) numbers its elements from 1
  // again, as a freshly loaded page does: the same seed gives the same tree.
  function renumber() {
    const all = docQueryAll(doc, "[data-og-id]");
    for (let i = 0, n = listLength(all); i < n; i++) removeAttr(all[i], "data-og-id");
    nextId = 1;
  }

  // ---- input and tabs --------------------------------------------------------------------------
  // OS-level input (xdotool on the xvfb backend) arrives through the window system, not through
  // the driver: the env waits until the page has counted what it sent, and learns where the
  // viewport sits on the screen from a pointer move. `document` tells documents apart.
  let inputs = 0;
  let screenOffset = null;
  for (const type of ["mousedown", "mouseup", "keydown", "keyup", "wheel"]) {
    listen(window, type, (e) => { if (e.isTrusted) inputs++; }, PASSIVE);
  }
  listen(window, "mousemove", (e) => {
    if (e.isTrusted) screenOffset = [screenX(e) - clientX(e), screenY(e) - clientY(e)];
  }, PASSIVE);
  const inputState = () => ({__proto__: null, inputs, screenOffset, document: timeOrigin});

  // Tabs this page asked to open (a link with a target, window.open) since the last look: the
  // env waits for them after a step instead of racing the browser's report of a new page.
  let popups = 0;
  const origOpen = window.open;
  window.open = function (...args) {
    const opened = apply(origOpen, this, args);
    if (opened) popups++;
    return opened;
  };
  listen(window, "click", (e) => {
    let target;
    try {
      const t = eventTarget(e), a = t && nodeType(t) === 1 ? closest(t, "a[href]") : null;
      target = a ? lower(getAttr(a, "target") || "") : "";
    } catch (err) {
      return;  // the window itself, not an element
    }
    if (target && !defaultPrevented(e) && target !== "_self" && target !== "_top" && target !== "_parent") popups++;
  });
  const takePopups = () => { const n = popups; popups = 0; return n; };

  // `officegym replay --expect` (replayer/_expect.py): a value the expression gave, written as
  // JSON with the built-ins taken above, so that a page that replaces JSON.stringify cannot
  // make any value read as the expected one. The driver calls it through CDP (never through
  // the page's own eval). One string comes back: "J" + the JSON, "C" + the JSON cut at
  // `limit`, "U" for no JSON value (undefined, a function), "E" + what was thrown.
  const hasOwn = uncurry(Object.prototype.hasOwnProperty);
  const objectProto = Object.prototype, arrayProto = Array.prototype;
  const threw = (err) => { try { return "E" + Str(err); } catch (e) { return "Ean error"; } };
  const toJSON = (value, limit) => {
    // A toJSON on these prototypes would rewrite every object or list the expression gives.
    if (value !== null && typeof value === "object" &&
        (hasOwn(objectProto, "toJSON") || hasOwn(arrayProto, "toJSON"))) {
      return "Ethe page defines Object.prototype.toJSON or Array.prototype.toJSON";
    }
    let text;
    try { text = stringify(value); } catch (err) { return threw(err); }
    if (typeof text !== "string") return "U";
    return text.length > limit ? "C" + slice(text, 0, limit) : "J" + text;
  };

  // Its promises too carry their own constructor, for the caller's `await`. `settled` gives
  // `read()` once the page is quiet, in an object without a prototype: a promise resolved with
  // an object looks up its `then`, and Object.prototype.then is the page's to define.
  const og = freeze({
    __proto__: null,
    settle: (timeoutMs, scrolled) => own(settle(timeoutMs, scrolled)),
    settled: (timeoutMs, scrolled, read) => own((async () => {
      await own(settle(timeoutMs, scrolled));
      const value = read();
      return {__proto__: null, value: ours(value) ? await value : value};
    })()),
    frames: (count) => own((async () => { for (let i = 0; i < count; i++) await nextFrame(); })()),
    scrollPosition: () => [pageLeft(viewport), pageTop(viewport)],
    resolve: (selectors, offset, timeoutMs) => own(resolve(selectors, offset, timeoutMs)),
    snapshot, takePopups, describe, focused, element, renumber, inputState, matchesAt,
    countMatching, prepareText, toJSON,
  });
  defineProperty(window, "__og", {__proto__: null, value: og, writable: false, enumerable: false, configurable: false});
})();
