// Chat: open a conversation at its newest message, or at the message its link names.
// Nothing takes focus on load: a page prepared in the background would get it or not by timing,
// and the observation (which marks the focused element) must not depend on that.
(() => {
  const list = document.querySelector(".messages");
  if (!list) return;
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target) target.scrollIntoView({block: "center"});
  else list.scrollTop = list.scrollHeight;
})();

// The quick switcher (Control+K): matches appear as you type; Enter or a click opens one.
(() => {
  const input = document.querySelector("input[data-jump]");
  if (!input) return;
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let token = 0;
  input.addEventListener("input", async () => {
    const mine = ++token;
    const q = input.value.trim();
    const rows = q ? await (await fetch(`${input.dataset.jump}?q=${encodeURIComponent(q)}`)).json() : [];
    if (mine !== token) return;  // a newer keystroke already asked
    list.replaceChildren();
    rows.forEach((r, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === 0));
      li.textContent = r.label;
      li.addEventListener("click", () => { location.href = r.href; });
      list.append(li);
    });
    list.hidden = rows.length === 0;
    input.setAttribute("aria-expanded", String(rows.length > 0));
  });
})();
