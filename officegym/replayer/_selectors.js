// Puppeteer's selector kinds, as @puppeteer/replay hands them to Puppeteer (its
// `selectorToPElementSelector`), run in the page's frame by _selectors.py. One function
// expression: `(request) => result`, where request.op says what to do. aria/ is not here: it
// needs the browser's accessibility tree (CDP Accessibility.queryAXTree, in _selectors.py).
(request) => {
  const ELEMENT = 1;
  const scopeOf = (node) => (node.nodeType === ELEMENT && node.shadowRoot) ? node.shadowRoot : node;
  const unique = (list) => { const seen = new Set(), out = []; for (const n of list) if (!seen.has(n)) { seen.add(n); out.push(n); } return out; };

  // pierce/: the scope and every shadow root below it, at any depth (Puppeteer's pierceAll).
  function* roots(scope) {
    const first = scopeOf(scope);
    yield first;
    const walkers = [document.createTreeWalker(first, NodeFilter.SHOW_ELEMENT)];
    for (let i = 0; i < walkers.length; i++) {
      for (let node = walkers[i].nextNode(); node; node = walkers[i].nextNode()) {
        if (!node.shadowRoot) continue;
        yield node.shadowRoot;
        walkers.push(document.createTreeWalker(node.shadowRoot, NodeFilter.SHOW_ELEMENT));
      }
    }
  }
  // text/: the innermost elements whose text (shadow content included) contains the text, as
  // Puppeteer's text query handler finds them: a match inside an element hides the element.
  const SKIPPED = new Set(["SCRIPT", "STYLE"]);
  const suitable = (node) => !SKIPPED.has(node.nodeName) && !(document.head && document.head.contains(node));
  const texts = new Map(), TRIVIAL_VALUES = new Set(["checkbox", "image", "radio"]);
  // An element's text as Puppeteer's createTextContent makes it: a field's value stands for
  // its text, and scripts and styles have none.
  function fullText(root) {
    if (texts.has(root)) return texts.get(root);
    let text = "";
    if (root.nodeType === ELEMENT && !suitable(root)) text = "";
    else if (root instanceof HTMLSelectElement || root instanceof HTMLTextAreaElement ||
             (root instanceof HTMLInputElement && !TRIVIAL_VALUES.has(root.type))) text = root.value;
    else {
      for (let child = root.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 3) text += child.nodeValue || "";
        else if (child.nodeType === ELEMENT) text += fullText(child);
      }
      if (root.nodeType === ELEMENT && root.shadowRoot) text += fullText(root.shadowRoot);
    }
    texts.set(root, text);
    return text;
  }
  function* byText(root, wanted) {
    let yielded = false;
    for (const node of root.childNodes) {
      if (node.nodeType !== ELEMENT || !suitable(node)) continue;
      for (const match of byText(node.shadowRoot || node, wanted)) { yielded = true; yield match; }
    }
    if (!yielded && root.nodeType === ELEMENT && suitable(root) && fullText(root).includes(wanted)) yield root;
  }

  function queryPart(kind, body, scope) {
    const root = scope;
    if (kind === "css") return Array.from(root.querySelectorAll(body));
    if (kind === "pierce") {
      const out = [];
      for (const r of roots(root)) out.push(...r.querySelectorAll(body));
      return out;
    }
    if (kind === "text") return Array.from(byText(root, body));
    if (kind === "xpath") {
      const found = document.evaluate(body, root, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null), out = [];
      for (let i = 0; i < found.snapshotLength; i++) {
        const node = found.snapshotItem(i);
        if (node.nodeType === ELEMENT) out.push(node);
      }
      return out;
    }
    throw new Error("unknown selector kind " + kind);
  }

  // Deep hit test: the element a pointer event at (x, y) is dispatched to, into shadow roots.
  function deepHit(x, y) {
    let hit = document.elementFromPoint(x, y);
    while (hit && hit.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    return hit;
  }
  // Whether `node` is `el` or below it in the flat tree (slots and shadow hosts crossed).
  function inside(el, node) {
    for (let n = node; n; n = n.assignedSlot || n.parentNode || n.host) if (n === el) return true;
    return false;
  }
  const ACTIONABLE = "a[href], button, input, select, textarea, summary, label, [role], [contenteditable], [tabindex], [onclick]";
  const control = (e) => (e.closest && e.closest(ACTIONABLE)) || e;
  function describe(e) {
    if (!e) return null;
    const id = e.id ? "#" + e.id : "";
    const text = (e.innerText || e.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
    return {tag: e.tagName.toLowerCase(), selector: e.tagName.toLowerCase() + id, name: text || null, role: e.getAttribute("role")};
  }
  // Whether any of `el` is in the top-level viewport (an element in a frame too, wherever the
  // frame is): what Puppeteer's isIntersectingViewport asks an IntersectionObserver.
  const inViewport = (el) => new Promise((resolve) => {
    const observer = new IntersectionObserver((entries) => { observer.disconnect(); resolve(entries[0].intersectionRatio > 0); });
    observer.observe(el);
  });
  // Where to act on `el` (Puppeteer's clickable point): scrolled to the centre when it is not
  // in view, the first box of the element (an inline element's first line), at `offset` from
  // its corner or its centre. `state` says why it cannot be acted on yet.
  async function point(el, offset) {
    if (!el.isConnected) return {state: "detached"};
    if (el.disabled === true) return {state: "disabled"};
    const anchor = el instanceof SVGElement && el.ownerSVGElement ? el.ownerSVGElement : el;
    if (!(await inViewport(anchor))) el.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
    const boxes = Array.from(el.getClientRects()).filter((r) => r.width * r.height > 1);
    if (!boxes.length) return {state: "hidden"};
    const r = boxes[0];
    const x = offset ? r.left + offset[0] : r.left + r.width / 2, y = offset ? r.top + offset[1] : r.top + r.height / 2;
    const hit = deepHit(x, y);
    const ok = hit && (inside(el, hit) || control(hit) === control(el));
    return {state: "ok", x, y, element: describe(el), covered: ok ? null : describe(hit) || {tag: "nothing", selector: "outside the viewport"}};
  }
  // waitForElement's check, as PuppeteerRunnerExtension makes it: the count compares, and
  // every element found has the attributes and (deeply) the properties.
  function deepMatch(a, b) {
    if (a === b) return true;
    if ((a && !b) || (!a && b)) return false;
    if (!(a instanceof Object) || !(b instanceof Object)) return false;
    for (const [key, value] of Object.entries(a)) if (!deepMatch(value, b[key])) return false;
    return true;
  }
  function holds(elements, properties, attributes) {
    for (const e of elements) {
      if (attributes) for (const [name, value] of Object.entries(attributes)) if (e.getAttribute(name) !== value) return false;
      if (properties && !deepMatch(properties, e)) return false;
    }
    return true;
  }

  const op = request.op;
  if (op === "query") {
    const scopes = request.scopes ? request.scopes.map(scopeOf) : [document];
    const out = [];
    // A selector the browser cannot parse fails the step, as Puppeteer's query throws: taken
    // as "no match", a wait for no match would pass on a typo. _selectors.py reads the marker.
    for (const scope of scopes) {
      try { out.push(...queryPart(request.kind, request.body, scope)); }
      catch (err) { throw new Error("officegym-invalid-selector " + String(err && err.message || err)); }
    }
    return unique(out);
  }
  if (op === "point") return request.elements.length ? point(request.elements[0], request.offset) : {state: "none"};
  if (op === "holds") return holds(request.elements, request.properties, request.attributes);
  if (op === "hit") { const hit = deepHit(request.x, request.y); return !!hit && request.elements.some((e) => inside(e, hit) || control(hit) === control(e)); }
  throw new Error("unknown op " + op);
}
