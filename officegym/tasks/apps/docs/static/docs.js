// Docs: the formatting toolbar and shortcuts work on the body's selected text (bold and italic
// wrap it, styles and lists prefix its lines), Find selects the next match, and the formatted
// view follows the text as it changes.
(() => {
  const body = document.querySelector("textarea.doc-body");
  if (!body || body.readOnly) return;
  const changed = () => body.dispatchEvent(new Event("input", {bubbles: true}));  // autosave
  const PREFIX = /^(#{1,3} |[-*] |\d+\. )/;

  function wrap(marker) {
    const [a, b, v] = [body.selectionStart, body.selectionEnd, body.value];
    if (a === b) return;
    const m = marker.length;
    const on = v.slice(a - m, a) === marker && v.slice(b, b + m) === marker &&
      (marker !== "*" || (v[a - m - 1] !== "*" && v[b + m] !== "*"));
    if (on) {  // already formatted: take the markers off
      body.value = v.slice(0, a - m) + v.slice(a, b) + v.slice(b + m);
      body.setSelectionRange(a - m, b - m);
    } else {
      body.value = v.slice(0, a) + marker + v.slice(a, b) + marker + v.slice(b);
      body.setSelectionRange(a + m, b + m);
    }
  }

  function lines(style) {
    const v = body.value;
    const start = v.lastIndexOf("\n", body.selectionStart - 1) + 1;
    let end = v.indexOf("\n", Math.max(body.selectionEnd - (body.selectionEnd > body.selectionStart ? 1 : 0), start));
    if (end < 0) end = v.length;
    const old = v.slice(start, end).split("\n");
    const bare = old.map((l) => l.replace(PREFIX, ""));
    const want = {h1: "# ", h2: "## ", h3: "### ", text: "", bullets: "- "};
    const isList = (re) => old.every((l) => re.test(l));
    let out;
    if (style === "bullets" && isList(/^[-*] /)) out = bare;  // a list again: back to text
    else if (style === "numbers" && isList(/^\d+\. /)) out = bare;
    else if (style === "numbers") out = bare.map((l, i) => `${i + 1}. ${l}`);
    else out = bare.map((l) => want[style] + l);
    const text = out.join("\n");
    body.value = v.slice(0, start) + text + v.slice(end);
    body.setSelectionRange(start, start + text.length);
  }

  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-format]");
    if (!button) return;
    const style = button.dataset.format;
    if (style === "bold") wrap("**");
    else if (style === "italic") wrap("*");
    else lines(style);
    // A style chosen from the Style menu closes it, as an editor's menus do: left open, it
    // would cover the toolbar's next button.
    const menu = button.closest("[role=menu]");
    if (menu) {
      menu.hidden = true;
      const opener = document.querySelector(`[aria-controls="${menu.id}"]`);
      if (opener) opener.setAttribute("aria-expanded", "false");
    }
    body.focus();
    changed();
  });

  // Find: select the next match after the selection (from the top once past the last one).
  const find = document.querySelector(".find-form");
  find.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = find.elements.q.value;
    const v = body.value.toLowerCase();
    let at = v.indexOf(q.toLowerCase(), body.selectionEnd);
    if (at < 0) at = v.indexOf(q.toLowerCase());
    if (!q || at < 0) {
      find.querySelector("[data-find-status]").textContent = `“${q}” is not in the document.`;
      return;
    }
    find.closest("[role=dialog]").hidden = true;
    body.focus();
    body.setSelectionRange(at, at + q.length);
  });

  // The formatted view: asked for as the text changes, one request at a time (a change while
  // one is out asks again, with the latest text, once it is back), as autosave does. Asked at
  // once, never on a timer: a page that is quiet (no request out) shows the text's rendering,
  // which is what the env's settle waits for, however late the answers come.
  const view = document.querySelector("[data-preview]");
  let busy = false, dirty = false;
  body.addEventListener("input", async () => {
    if (busy) { dirty = true; return; }
    busy = true;
    try {
      do {
        dirty = false;
        const res = await fetch(view.dataset.preview, {method: "POST", body: new URLSearchParams({body: body.value})});
        // The server's rendering of the text, every piece of it escaped (docs/_markup.py).
        const html = res.ok ? await res.text() : null;
        if (html !== null && !dirty) view.innerHTML = html;  // not a text already changed
      } while (dirty);
    } catch {
      // Not rendered (the page is going away): the view keeps its last rendering.
    } finally {
      busy = false;
    }
  });
})();
