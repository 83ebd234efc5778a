// Week view: drag one of your events onto another day to move it there (same times). A press
// and release without moving is a click, and opens the event.
(() => {
  let drag = null;
  const dayAt = (x, y) => document.elementFromPoint(x, y)?.closest(".day[data-date]") || null;
  const mark = (day) => {
    for (const d of document.querySelectorAll(".day.drop")) if (d !== day) d.classList.remove("drop");
    if (day) day.classList.add("drop");
  };
  document.addEventListener("mousedown", (e) => {
    const chip = e.button === 0 ? e.target.closest("a.event[data-move]") : null;
    if (!chip) return;
    e.preventDefault();  // no native link drag, no text selection
    drag = {chip, x: e.clientX, y: e.clientY, moved: false};
  });
  document.addEventListener("mousemove", (e) => {
    if (!drag) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 5) return;
    drag.moved = true;
    drag.chip.classList.add("dragging");
    mark(dayAt(e.clientX, e.clientY));
  });
  document.addEventListener("mouseup", (e) => {
    if (!drag) return;
    const {chip, moved} = drag;
    drag = null;
    chip.classList.remove("dragging");
    mark(null);
    if (!moved) return;  // a click: the link opens
    // The click that follows this release is the end of the drag, not a click on anything.
    const swallow = (ev) => { ev.preventDefault(); ev.stopPropagation(); };
    window.addEventListener("click", swallow, {capture: true, once: true});
    setTimeout(() => window.removeEventListener("click", swallow, {capture: true}), 0);
    const day = dayAt(e.clientX, e.clientY);
    if (!day || day === chip.closest(".day")) return;
    const form = document.createElement("form");
    form.method = "post";
    form.action = chip.dataset.move;
    const field = Object.assign(document.createElement("input"), {type: "hidden", name: "date", value: day.dataset.date});
    form.append(field);
    document.body.append(form);
    form.submit();
  });
})();

// Day view: press on a time and drag down (or up) across the grid, release, and the new-event
// form opens for that span; a click is a half-hour. Enter or Space on a slot does the same.
(() => {
  let first = null, last = null;
  const slots = () => Array.from(document.querySelectorAll(".slot[data-start]"));
  const slotAt = (x, y) => document.elementFromPoint(x, y)?.closest(".slot[data-start]") || null;
  const span = () => {
    const all = slots(), [a, b] = [all.indexOf(first), all.indexOf(last)].sort((m, n) => m - n);
    return all.slice(a, b + 1);
  };
  const paint = () => {
    const chosen = new Set(first ? span() : []);
    for (const s of slots()) s.classList.toggle("chosen", chosen.has(s));
  };
  const create = (from, to) => {
    const day = from.closest(".day-grid").dataset.date;
    const query = new URLSearchParams({date: day, start: from.dataset.start, end: to.dataset.end});
    location.href = "/new?" + query;
  };
  document.addEventListener("mousedown", (e) => {
    const slot = e.button === 0 ? e.target.closest(".slot[data-start]") : null;
    if (!slot) return;
    e.preventDefault();
    first = last = slot;
    paint();
  });
  document.addEventListener("mousemove", (e) => {
    if (!first) return;
    const slot = slotAt(e.clientX, e.clientY);
    if (slot && slot !== last) { last = slot; paint(); }
  });
  document.addEventListener("mouseup", () => {
    if (!first) return;
    const chosen = span();
    first = last = null;
    create(chosen[0], chosen[chosen.length - 1]);
  });
  document.addEventListener("click", (e) => {
    const slot = e.target.closest(".slot[data-start]");
    if (slot && e.detail === 0) create(slot, slot);  // from the keyboard
  });
})();
