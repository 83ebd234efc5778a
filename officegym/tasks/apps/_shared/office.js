// The office apps' shared widgets: menu buttons, pickers, mentions, shortcuts, dialogs, autosave.
// Markup opts in with attributes; see officegym/tasks/apps/_web.py.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const isText = (el) => el && (el.isContentEditable || el.tagName === "TEXTAREA" ||
    (el.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(el.type)));

  // ---- menu buttons: aria-haspopup=menu toggles the role=menu it controls ---------------------
  const menuOf = (button) => document.getElementById(button.getAttribute("aria-controls"));
  const items = (menu) => $$("[role^=menuitem]", menu);
  // The box a menu must fit in: its nearest scrolling ancestor, else the window.
  function clipOf(el) {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowY;
      if (o === "auto" || o === "scroll" || o === "hidden") return p.getBoundingClientRect();
    }
    return {top: 0, bottom: window.innerHeight};
  }
  function setOpen(button, open) {
    const menu = menuOf(button);
    menu.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (!open) return;
    menu.classList.remove("up", "end");
    const box = menu.getBoundingClientRect();
    const clip = clipOf(menu);
    // Open upwards when there is no room below (a message at the bottom of a scrolled list).
    if (box.bottom > clip.bottom && box.top - box.height - button.offsetHeight > clip.top) {
      menu.classList.add("up");
    }
    // Align to the button's right edge when the menu would run off the right of the window.
    if (box.right > document.documentElement.clientWidth) menu.classList.add("end");
    if (items(menu).length) items(menu)[0].focus({preventScroll: true});
  }
  const closeMenus = (except) => $$("[aria-haspopup=menu][aria-expanded=true]")
    .filter((b) => b !== except).forEach((b) => setOpen(b, false));
  document.addEventListener("click", (e) => {
    const button = e.target.closest("[aria-haspopup=menu]");
    if (button) {
      closeMenus(button);
      setOpen(button, menuOf(button).hidden);
      return;
    }
    const choice = e.target.closest("[role=menuitemradio][data-value]");
    if (choice) {  // a drop-down that sets a form field instead of acting
      const menu = choice.closest("[role=menu]");
      const wrap = choice.closest("[data-select]");
      $(`input[name="${wrap.dataset.select}"]`, wrap).value = choice.dataset.value;
      items(menu).forEach((i) => i.setAttribute("aria-checked", String(i === choice)));
      const button = $("[aria-haspopup=menu]", wrap);
      button.textContent = `${wrap.dataset.label}: ${choice.dataset.text || choice.textContent.trim()}`;
      setOpen(button, false);
      button.focus();
      e.preventDefault();
      return;
    }
    if (!e.target.closest("[role=menu]")) closeMenus(null);
  });
  document.addEventListener("keydown", (e) => {
    const menu = e.target.closest && e.target.closest("[role=menu]");
    if (!menu) return;
    const list = items(menu);
    const i = list.indexOf(document.activeElement);
    const button = $(`[aria-controls="${menu.id}"]`);
    if (e.key === "ArrowDown") list[(i + 1) % list.length].focus();
    else if (e.key === "ArrowUp") list[(i - 1 + list.length) % list.length].focus();
    else if (e.key === "Escape") { setOpen(button, false); button.focus(); }
    else return;
    e.preventDefault();
    e.stopPropagation();
  });

  // ---- suggestion lists, shared by pickers and mentions -----------------------------------------
  function suggester(input, list, source, onPick) {
    let active = -1;
    let token = 0;
    const opts = () => $$("[role=option]", list);
    const paint = () => opts().forEach((o, i) => o.setAttribute("aria-selected", String(i === active)));
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); };
    const pick = (opt) => { onPick(opt.dataset); close(); input.focus(); };
    async function show(q) {
      const mine = ++token;
      if (!q) { close(); return; }
      const res = await fetch(source + (source.includes("?") ? "&" : "?") + "q=" + encodeURIComponent(q));
      const rows = await res.json();
      if (mine !== token) return;  // a newer keystroke already asked
      list.replaceChildren();
      rows.forEach((p) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.email = p.email;
        li.dataset.name = p.name;
        li.textContent = `${p.name} <${p.email}>`;
        li.addEventListener("mousedown", (ev) => { ev.preventDefault(); pick(li); });
        list.appendChild(li);
      });
      active = rows.length ? 0 : -1;
      paint();
      list.hidden = !rows.length;
      input.setAttribute("aria-expanded", String(rows.length > 0));
    }
    input.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      const o = opts();
      if (e.key === "ArrowDown" && o.length) active = (active + 1) % o.length;
      else if (e.key === "ArrowUp" && o.length) active = (active - 1 + o.length) % o.length;
      else if ((e.key === "Enter" || e.key === "Tab") && o[active]) pick(o[active]);
      else if (e.key === "Escape") close();
      else return;
      e.preventDefault();
      e.stopImmediatePropagation();
      paint();
    });
    input.addEventListener("blur", close);
    return show;
  }

  // ---- pickers: choose people by name; each chosen one posts a hidden field --------------------
  function addChip(picker, email, name) {
    const field = picker.dataset.name;
    if (picker.hasAttribute("data-single")) $$(".chip", picker).forEach((c) => c.remove());
    if ($$(`input[name="${field}"]`, picker).some((i) => i.value === email)) return;
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.textContent = name;
    chip.title = email;
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = field;
    hidden.value = email;
    const x = document.createElement("button");
    x.type = "button";
    x.textContent = "×";
    x.setAttribute("aria-label", `Remove ${name}`);
    chip.append(hidden, x);
    $(".chips", picker).appendChild(chip);
  }
  document.addEventListener("click", (e) => {
    const x = e.target.closest(".picker .chip button");
    if (x) x.closest(".chip").remove();
  });
  $$(".picker").forEach((picker) => {
    const input = $("[role=combobox]", picker);
    const show = suggester(input, $("[role=listbox]", picker), picker.dataset.source, (p) => {
      addChip(picker, p.email, p.name);
      input.value = "";
    });
    input.addEventListener("input", () => show(input.value.trim()));
    input.addEventListener("keydown", (e) => {  // Enter in a picker never submits its form
      if (e.key === "Enter" && input.value.trim()) e.preventDefault();
    });
  });

  // ---- @mentions in a text area: "@da" suggests people, picking writes "@dana.kim " ------------
  $$("textarea[data-mentions]").forEach((area) => {
    const list = document.getElementById(area.getAttribute("aria-controls"));
    let start = -1;
    const show = suggester(area, list, area.dataset.mentions, (p) => {
      const handle = "@" + p.email.split("@")[0] + " ";
      const end = area.selectionStart;
      area.value = area.value.slice(0, start) + handle + area.value.slice(end);
      area.selectionStart = area.selectionEnd = start + handle.length;
    });
    area.addEventListener("input", () => {
      const before = area.value.slice(0, area.selectionStart);
      const m = /(^|\s)@([\w.-]*)$/.exec(before);
      start = m ? before.length - m[2].length - 1 : -1;
      show(m && m[2] ? m[2] : "");
    });
  });

  // ---- Enter sends (Shift+Enter is a new line) ----------------------------------------------------
  document.addEventListener("keydown", (e) => {
    const area = e.target;
    if (e.key !== "Enter" || e.shiftKey || !area.matches || !area.matches("textarea[data-enter-submits]")) return;
    e.preventDefault();
    if (area.value.trim()) area.form.requestSubmit();
  });

  // ---- dialogs: [data-open=id] shows a role=dialog, [data-close] hides it --------------------------
  function openDialog(id) {
    const dialog = document.getElementById(id);
    dialog.hidden = false;
    const field = $("input:not([type=hidden]), textarea", dialog);
    if (field) field.focus();
  }
  document.addEventListener("click", (e) => {
    const opener = e.target.closest("[data-open]");
    if (opener) { openDialog(opener.dataset.open); return; }
    const closer = e.target.closest("[data-close]");
    if (closer) closer.closest("[role=dialog]").hidden = true;
  });

  // ---- keyboard shortcuts: [data-shortcut="c"], "Control+h" or a sequence "g i" (the second
  // key within 1.5 s), outside text fields ------------------------------------------------------
  let prefix = "", prefixAt = 0;
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.key === "Control" || e.key === "Shift" || e.key === "Alt") return;
    const combo = (e.ctrlKey || e.metaKey ? "Control+" : "") + (e.altKey ? "Alt+" : "") + e.key;
    if (!(e.ctrlKey || e.metaKey || e.altKey) && isText(document.activeElement)) return;
    if (e.key === "Escape") {
      $$("[role=dialog]:not([hidden])").forEach((d) => { d.hidden = true; });
      return;
    }
    const all = $$("[data-shortcut]");
    const seq = prefix && Date.now() - prefixAt < 1500 ? `${prefix} ${combo}` : "";
    prefix = "";
    const target = all.find((el) => el.dataset.shortcut === seq) ||
      all.find((el) => el.dataset.shortcut === combo);
    if (!target && all.some((el) => el.dataset.shortcut.startsWith(`${combo} `))) {
      [prefix, prefixAt] = [combo, Date.now()];  // the first key of a sequence: wait for the next
      e.preventDefault();
      return;
    }
    if (!target) return;
    e.preventDefault();
    if (target.dataset.open) openDialog(target.dataset.open);
    else if (isText(target)) target.focus();
    else target.click();
  });

  // ---- autosave: a form[data-autosave] posts its fields as they change --------------------------
  $$("form[data-autosave]").forEach((form) => {
    let busy = false;
    let dirty = false;
    const status = $("[data-save-status]", form) || $("[data-save-status]");
    async function save() {
      if (busy) { dirty = true; return; }
      busy = true;
      if (status) status.textContent = "Saving…";
      try {
        do {
          dirty = false;
          const res = await fetch(form.dataset.autosave, {method: "POST", body: new URLSearchParams(new FormData(form))});
          if (!res.ok) throw new Error((await res.json()).error || res.statusText);
        } while (dirty);
        if (status) status.textContent = "All changes saved";
      } catch (err) {
        if (status) status.textContent = "Not saved: " + err.message;
      } finally {
        busy = false;
      }
    }
    form.addEventListener("input", save);
    form.addEventListener("submit", (e) => { e.preventDefault(); save(); });
  });
})();
// ---- "select all" check boxes tick every box of their form -----------------------------------
document.addEventListener("change", (e) => {
  if (!e.target.matches || !e.target.matches("input[data-select-all]")) return;
  e.target.form.querySelectorAll("input[type=checkbox][name]").forEach((box) => {
    box.checked = e.target.checked;
  });
});
