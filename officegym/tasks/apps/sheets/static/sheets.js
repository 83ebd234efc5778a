// Sheets: select cells, type into them, move with the arrow keys; the name box jumps to a cell.
(() => {
  const grid = document.getElementById("grid");
  if (!grid) return;
  const nameBox = document.getElementById("name-box");
  const formula = document.getElementById("formula");
  const form = document.getElementById("cell-form");
  // A reference comes from the URL or the name box: escaped, any text makes a valid selector
  // (an invalid one would throw and stop this script).
  const cellAt = (ref) => grid.querySelector(`td[data-ref="${CSS.escape(ref)}"]`);
  let current = null;
  function select(ref) {
    const td = cellAt(ref.toUpperCase());
    if (!td) return false;
    if (current) current.classList.remove("selected");
    current = td;
    td.classList.add("selected");
    td.scrollIntoView({block: "nearest", inline: "nearest"});
    nameBox.value = td.dataset.ref;
    formula.value = td.dataset.raw;
    document.querySelectorAll(".selected-cell").forEach((i) => { i.value = td.dataset.ref; });
    return true;
  }
  function move(dr, dc) {
    if (!current) return;
    const m = /^([A-Z])(\d+)$/.exec(current.dataset.ref);
    const col = String.fromCharCode(m[1].charCodeAt(0) + dc);
    // Rows a filter hides are not on the page: step over them.
    for (let row = Number(m[2]) + dr; row >= 1 && row <= 999; row += dr) {
      if (select(col + row) || !dr) return;
    }
  }
  // The filter dialogs' Select all and Clear.
  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-check]");
    if (!button) return;
    for (const box of button.form.querySelectorAll("input[type=checkbox]")) box.checked = button.dataset.check === "all";
  });
  grid.addEventListener("click", (e) => {
    const td = e.target.closest("td[data-ref]");
    if (td) { select(td.dataset.ref); grid.focus(); }
  });
  grid.addEventListener("dblclick", () => formula.focus());
  grid.addEventListener("keydown", (e) => {
    const arrows = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
    if (arrows[e.key]) { move(...arrows[e.key]); e.preventDefault(); return; }
    if (e.key === "Enter" || e.key === "F2") { formula.focus(); e.preventDefault(); return; }
    // Copy and paste: the copied cell is remembered for this tab (a paste reloads the page).
    const book = grid.closest(".book").dataset;
    if ((e.ctrlKey || e.metaKey) && e.key === "c" && current) {
      sessionStorage.setItem("sheets.copied", JSON.stringify({book: book.book, sheet: book.sheet, ref: current.dataset.ref}));
      current.classList.add("copied");
      e.preventDefault();
      return;
    }
    if ((e.ctrlKey || e.metaKey) && e.key === "v" && current) {
      const copied = JSON.parse(sessionStorage.getItem("sheets.copied") || "null");
      e.preventDefault();
      if (!copied || copied.book !== book.book) return;
      const paste = document.getElementById("paste-form");
      paste.elements.cell.value = current.dataset.ref;
      paste.elements.from.value = copied.ref;
      paste.elements.from_sheet.value = copied.sheet;
      paste.requestSubmit();
      return;
    }
    if (e.key === "Delete" || e.key === "Backspace") { formula.value = ""; form.requestSubmit(); e.preventDefault(); return; }
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      formula.value = "";
      formula.focus();  // the key itself lands in the formula bar
    }
  });
  nameBox.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    if (select(nameBox.value.trim())) grid.focus();
    else nameBox.select();
  });
  formula.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { formula.value = current.dataset.raw; grid.focus(); }
    // Two text fields and no submit button: Enter would not submit the form by itself.
    if (e.key === "Enter") { e.preventDefault(); form.requestSubmit(); }
  });
  // The value goes to the cell the name box names (typed there, then Tab to the formula bar),
  // else to the selected one.
  form.addEventListener("submit", () => {
    if (!cellAt(nameBox.value.trim().toUpperCase())) nameBox.value = current.dataset.ref;
  });
  // No focus on load (see chat.js): click a cell, or use the name box, to start typing.
  select(grid.closest(".book").dataset.selected || "A1");
})();
