// Drag an item's name onto a folder row (or "My Drive" in the sidebar) to move it there. A press
// and release without moving is a click, and opens the item.
(() => {
  let drag = null;
  const targetAt = (x, y) => document.elementFromPoint(x, y)?.closest("[data-drop]") || null;
  const mark = (target) => {
    for (const t of document.querySelectorAll("[data-drop].drop")) if (t !== target) t.classList.remove("drop");
    if (target) target.classList.add("drop");
  };
  document.addEventListener("mousedown", (e) => {
    const link = e.button === 0 ? e.target.closest("a.item-link[data-ref]") : null;
    if (!link) return;
    e.preventDefault();  // no native link drag, no text selection
    drag = {link, x: e.clientX, y: e.clientY, moved: false};
  });
  document.addEventListener("mousemove", (e) => {
    if (!drag) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 5) return;
    drag.moved = true;
    drag.link.classList.add("dragging");
    mark(targetAt(e.clientX, e.clientY));
  });
  document.addEventListener("mouseup", (e) => {
    if (!drag) return;
    const {link, moved} = drag;
    drag = null;
    link.classList.remove("dragging");
    mark(null);
    if (!moved) return;  // a click: the link opens
    // The click that follows this release is the end of the drag, not a click on anything.
    const swallow = (ev) => { ev.preventDefault(); ev.stopPropagation(); };
    window.addEventListener("click", swallow, {capture: true, once: true});
    setTimeout(() => window.removeEventListener("click", swallow, {capture: true}), 0);
    const target = targetAt(e.clientX, e.clientY);
    if (!target || target.contains(link)) return;
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/move";
    const back = document.querySelector("#items-form input[name=back]");
    for (const [name, value] of [["ref", link.dataset.ref], ["folder", target.dataset.drop], ["back", back ? back.value : "/"]]) {
      form.append(Object.assign(document.createElement("input"), {type: "hidden", name, value}));
    }
    document.body.append(form);
    form.submit();
  });
})();
