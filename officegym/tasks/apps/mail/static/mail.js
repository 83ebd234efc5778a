// Mail's client: in-place navigation, keyboard shortcuts, compose with autocomplete, menus.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  let cursor = 0;           // index of the keyboard cursor in a list view
  let composeKind = "new";  // new | reply | reply_all | forward
  let composeThread = null;

  function toast(text) {
    const el = $("#toast");
    el.textContent = text;
    el.classList.add("show");
  }

  async function postJSON(url, data) {
    const res = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                  body: JSON.stringify(data)});
    const out = await res.json();
    if (!res.ok) throw new Error(out.error || res.statusText);
    return out;
  }

  // ---- navigation: fetch the view, swap it in, keep the URL real --------------------------
  async function navigate(url, push = true) {
    const res = await fetch(url, {headers: {"X-Partial": "1"}});
    // The server's own rendering of the view (escaped by its templates); data never goes in as HTML.
    $("#main").innerHTML = await res.text();
    document.title = decodeURIComponent(res.headers.get("X-Title") || "") || document.title;
    if (push) history.pushState({}, "", url);
    const q = new URL(url, location.href).searchParams.get("q");
    $("#search").value = q || "";
    cursor = 0;
    bindView();
  }
  const reload = () => navigate(location.pathname + location.search, false);

  window.addEventListener("popstate", () => navigate(location.pathname + location.search, false));
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a[href^='/']");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || a.target) return;
    e.preventDefault();
    navigate(a.getAttribute("href"));
  });
  $(".search").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("#search").value.trim();
    $("#search").blur();
    navigate(q ? "/search?q=" + encodeURIComponent(q) : "/");
  });

  document.addEventListener("submit", async (e) => {
    if (e.target.id !== "settings-form") return;
    e.preventDefault();
    try {
      await postJSON("/api/settings", Object.fromEntries(new FormData(e.target)));
      $$("input[type=password]", e.target).forEach((i) => { i.value = ""; });
      toast("Settings saved.");
    } catch (err) {
      toast(err.message);
    }
  });

  // ---- thread actions ------------------------------------------------------------------------
  const view = () => $("#main [data-view]");
  const rows = () => $$("#main li.thread");
  const selectedIds = () => rows().filter((r) => $(".select", r).checked).map((r) => +r.dataset.id);

  async function act(verb, ids, via = "click", label = "") {
    if (!ids.length) { toast("Select at least one conversation."); return; }
    await postJSON("/api/threads", {verb, ids, via, label});
    const names = {archive: "archived", delete: "moved to Trash", star: "starred",
                   unstar: "unstarred", read: "marked as read"};
    const n = ids.length;
    if (names[verb]) toast(`${n} conversation${n > 1 ? "s" : ""} ${names[verb]}.`);
    if (view().dataset.view === "thread" && (verb === "archive" || verb === "delete")) {
      await navigate("/");
    } else {
      const keep = cursor;
      await reload();
      cursor = Math.min(keep, Math.max(rows().length - 1, 0));
      paintCursor();
    }
  }

  function currentIds() {
    const v = view();
    if (!v) return [];
    if (v.dataset.view === "thread") return [+v.dataset.id];
    const sel = selectedIds();
    if (sel.length) return sel;
    const row = rows()[cursor];
    return row ? [+row.dataset.id] : [];
  }

  function paintCursor() {
    rows().forEach((r, i) => r.classList.toggle("cursor", i === cursor));
    const row = rows()[cursor];
    if (row) row.scrollIntoView({block: "nearest"});
  }

  function bindView() {
    const v = view();
    if (!v) return;
    $$("[data-bulk]", v).forEach((b) =>
      b.addEventListener("click", () => act(b.dataset.bulk, selectedIds())));
    const all = $("#select-all", v);
    if (all) all.addEventListener("change", () => rows().forEach((r) => {
      $(".select", r).checked = all.checked;
    }));
    $$("button.star", v).forEach((b) => b.addEventListener("click", () => {
      const id = +b.closest("li").dataset.id;
      act(b.classList.contains("on") ? "unstar" : "star", [id]);
    }));
    $$("[data-act]", v).forEach((b) =>
      b.addEventListener("click", () => act(b.dataset.act, [+v.dataset.id])));
    $$("[data-compose]", v).forEach((b) =>
      b.addEventListener("click", () => openCompose(b.dataset.compose)));
    bindLabelMenu(v);
    paintCursor();
  }

  // ---- the Labels menu: a custom menu button, not a <select> -------------------------------
  function bindLabelMenu(v) {
    const button = $("#labels-button", v);
    const menu = $("#labels-menu", v);
    if (!button) return;
    const items = () => $$("[role=menuitemcheckbox]", menu);
    const setOpen = (open) => {
      menu.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      if (open) items()[0].focus();
    };
    button.addEventListener("click", () => setOpen(menu.hidden));
    items().forEach((item) => item.addEventListener("click", async () => {
      const on = item.getAttribute("aria-checked") !== "true";
      await postJSON("/api/threads", {verb: on ? "label_add" : "label_remove",
                                      ids: [+v.dataset.id], label: item.dataset.label});
      toast(`Label “${item.dataset.label}” ${on ? "applied" : "removed"}.`);
      await reload();
    }));
    menu.addEventListener("keydown", (e) => {
      const list = items();
      const i = list.indexOf(document.activeElement);
      if (e.key === "ArrowDown") list[(i + 1) % list.length].focus();
      else if (e.key === "ArrowUp") list[(i - 1 + list.length) % list.length].focus();
      else if (e.key === "Enter" || e.key === " ") document.activeElement.click();
      else if (e.key === "Escape") { setOpen(false); button.focus(); }
      else return;
      e.preventDefault();
      e.stopPropagation();
    });
    document.addEventListener("click", (e) => {
      if (!menu.hidden && !e.target.closest(".menu-wrap")) setOpen(false);
    });
  }

  // ---- compose: recipients as chips with autocomplete ---------------------------------------
  function recipients(field) {
    return $$(`[data-field=${field}] .chip`).map((c) => c.dataset.email);
  }

  function addChip(field, email, name) {
    if (recipients(field).includes(email)) return;
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.dataset.email = email;
    chip.textContent = name || email;
    chip.title = email;
    const x = document.createElement("button");
    x.type = "button";
    x.textContent = "×";
    x.setAttribute("aria-label", `Remove ${name || email}`);
    x.addEventListener("click", () => chip.remove());
    chip.appendChild(x);
    $(`[data-field=${field}] .chips`).appendChild(chip);
  }

  function bindRecipients(field) {
    const box = $(`[data-field=${field}]`);
    const input = $("input", box);
    const list = $("[role=listbox]", box);
    let active = -1;
    let token = 0;
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); };
    const pick = (opt) => {
      addChip(field, opt.dataset.email, opt.dataset.name);
      input.value = "";
      close();
      input.focus();
    };
    const paint = () => $$("[role=option]", list).forEach((o, i) =>
      o.setAttribute("aria-selected", String(i === active)));
    input.addEventListener("input", async () => {
      const mine = ++token;
      const q = input.value.trim();
      if (!q) { close(); return; }
      const res = await fetch("/api/contacts?q=" + encodeURIComponent(q));
      const people = await res.json();
      if (mine !== token) return;  // a newer keystroke already asked
      list.replaceChildren();
      people.forEach((p) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.email = p.email;
        li.dataset.name = p.name;
        li.textContent = `${p.name} <${p.email}>`;
        li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(li); });
        list.appendChild(li);
      });
      active = people.length ? 0 : -1;
      paint();
      list.hidden = !people.length;
      input.setAttribute("aria-expanded", String(people.length > 0));
    });
    input.addEventListener("keydown", (e) => {
      const opts = $$("[role=option]", list);
      if (e.key === "ArrowDown" && opts.length) active = (active + 1) % opts.length;
      else if (e.key === "ArrowUp" && opts.length) active = (active - 1 + opts.length) % opts.length;
      else if ((e.key === "Enter" || e.key === "Tab") && !list.hidden && opts[active]) pick(opts[active]);
      else if ((e.key === "Enter" || e.key === ",") && /^\S+@\S+\.\S+$/.test(input.value.trim())) {
        addChip(field, input.value.trim().replace(/,$/, ""));
        input.value = "";
        close();
      } else if (e.key === "Backspace" && !input.value) {
        const chips = $$(".chip", box);
        if (chips.length) chips[chips.length - 1].remove();
        return;
      } else if (e.key === "Escape") { close(); return; }
      else return;
      e.preventDefault();
      paint();
    });
    input.addEventListener("blur", close);
  }

  function openCompose(kind) {
    const data = $("#compose-data") ? JSON.parse($("#compose-data").textContent) : null;
    if (kind !== "new" && !data) return;
    composeKind = kind;
    composeThread = kind === "new" ? null : +view().dataset.id;
    $$("#compose .chip").forEach((c) => c.remove());
    $("#compose-error").textContent = "";
    const titles = {new: "New message", reply: "Reply", reply_all: "Reply all", forward: "Forward"};
    $("#compose-title").textContent = titles[kind];
    $("#compose").setAttribute("aria-label", titles[kind]);
    let subject = "", body = "";
    if (kind === "reply" || kind === "reply_all") {
      subject = data.subject.startsWith("Re:") ? data.subject : "Re: " + data.subject;
      addChip("to", data.from);
      if (kind === "reply_all") data.all.filter((a) => a !== data.from).forEach((a) => addChip("cc", a));
      body = "\n\n" + data.quote;
    } else if (kind === "forward") {
      subject = "Fwd: " + data.subject;
      body = "\n\n---------- Forwarded message ----------\n" + data.quote;
    }
    $("#subject-input").value = subject;
    $("#body-input").value = body;
    $("#compose").hidden = false;
    (kind === "reply" || kind === "reply_all" ? $("#body-input") : $("#to-input")).focus();
    if (kind === "reply" || kind === "reply_all") $("#body-input").setSelectionRange(0, 0);
  }

  async function send() {
    const to = recipients("to"), cc = recipients("cc");
    try {
      await postJSON("/api/send", {to, cc, subject: $("#subject-input").value,
                                   body: $("#body-input").value, kind: composeKind,
                                   thread_id: composeThread});
    } catch (err) {
      $("#compose-error").textContent = err.message;
      return;
    }
    $("#compose").hidden = true;
    toast("Message sent.");
    await reload();
  }

  bindRecipients("to");
  bindRecipients("cc");
  $("#compose-button").addEventListener("click", () => openCompose("new"));
  $("#compose-close").addEventListener("click", () => { $("#compose").hidden = true; });
  $("#send-button").addEventListener("click", send);
  $("#compose").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
    if (e.key === "Escape") $("#compose").hidden = true;
  });

  // ---- keyboard shortcuts (Gmail's) -----------------------------------------------------------
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t.matches("input, textarea, select, [contenteditable]") || !$("#compose").hidden) {
      if (e.key === "Escape" && t.id === "search") t.blur();
      return;
    }
    const v = view();
    const inList = v && v.dataset.view === "list";
    const inThread = v && v.dataset.view === "thread";
    const n = rows().length;
    switch (e.key) {
      case "c": openCompose("new"); break;
      case "/": $("#search").focus(); break;
      case "j": if (inList && n) { cursor = Math.min(cursor + 1, n - 1); paintCursor(); } break;
      case "k": if (inList && n) { cursor = Math.max(cursor - 1, 0); paintCursor(); } break;
      case "x": if (inList && n) { const cb = $(".select", rows()[cursor]); cb.checked = !cb.checked; } break;
      case "Enter": case "o": if (inList && n) navigate($("a.open", rows()[cursor]).getAttribute("href")); break;
      case "u": if (inThread) navigate("/"); break;
      case "e": act("archive", currentIds(), "shortcut"); break;
      case "#": act("delete", currentIds(), "shortcut"); break;
      case "s": {
        const ids = currentIds();
        const starred = inThread ? $("[data-act=unstar]", v) !== null
                                 : rows()[cursor] && $("button.star.on", rows()[cursor]) !== null;
        act(starred ? "unstar" : "star", ids, "shortcut");
        break;
      }
      case "r": if (inThread) openCompose("reply"); break;
      case "a": if (inThread) openCompose("reply_all"); break;
      case "f": if (inThread) openCompose("forward"); break;
      default: return;
    }
    e.preventDefault();
  });

  bindView();
})();
