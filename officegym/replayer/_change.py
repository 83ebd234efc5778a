"""A Recorder `change` step, done as Puppeteer's locator `fill` does it, and its effect read back.

By the element: a `<select>` gets the option whose value is the recorded one (none, when no
option has it) and `input` and `change` events; a text-like field (text, textarea, url, tel,
search, password, number, email) and a contenteditable element are typed into, keeping a prefix
the field already holds; any other input (checkbox, radio, date, time, datetime-local, month,
week, color, range, …) gets the value set, then `input` and `change` events. After the page
settles the element's value (a contenteditable's text) must be the recorded value: a date the
field refuses, a colour in another form or a range past its maximum leave another value, and
the replay diverges there.
"""

from __future__ import annotations

from playwright.async_api import ElementHandle, Page

from officegym.replayer._outcomes import Divergence

KIND_JS = """e => {
  if (e instanceof HTMLSelectElement) return "select";
  if (e instanceof HTMLTextAreaElement) return "typeable";
  if (e instanceof HTMLInputElement) return ["text", "url", "tel", "search", "password", "number",
    "email", "textarea"].includes(e.type) ? "typeable" : "other";
  return e.isContentEditable ? "contenteditable" : "unknown";
}"""
SELECT_JS = """(e, value) => {
  if (e.multiple) for (const o of e.options) o.selected = o.value === value;
  else {
    for (const o of e.options) o.selected = false;
    for (const o of e.options) if (o.value === value) { o.selected = true; break; }
  }
  e.dispatchEvent(new Event("input", {bubbles: true}));
  e.dispatchEvent(new Event("change", {bubbles: true}));
}"""
# What to type: the rest after a prefix the field holds already, else all of it (cleared).
TO_TYPE_JS = """(e, value) => {
  const editable = e.isContentEditable, old = editable ? e.innerText : e.value;
  if (value.length <= old.length || !value.startsWith(old)) {
    if (editable) e.innerText = ""; else e.value = "";
    return value;
  }
  if (editable) { e.innerText = ""; e.innerText = old; } else { e.value = ""; e.value = old; }
  return value.substring(old.length);
}"""
SET_VALUE_JS = """(e, value) => {
  e.value = value;
  e.dispatchEvent(new Event("input", {bubbles: true}));
  e.dispatchEvent(new Event("change", {bubbles: true}));
}"""
VALUE_JS = "e => e.isContentEditable ? e.innerText : String(e.value)"


async def fill(page: Page, element: ElementHandle, value: str) -> str:
    """Give `element` the value, as Puppeteer does; returns how (select, typeable, …).

    Raises:
        Divergence: the element takes no value (neither a form field nor contenteditable).
    """
    kind = str(await element.evaluate(KIND_JS))
    if kind == "select":
        await element.evaluate(SELECT_JS, value)
    elif kind in ("typeable", "contenteditable"):
        rest = str(await element.evaluate(TO_TYPE_JS, value))
        await element.focus()
        if rest:
            await page.keyboard.type(rest)
    elif kind == "other":
        await element.focus()
        await element.evaluate(SET_VALUE_JS, value)
    else:
        described = await element.evaluate("e => e.tagName.toLowerCase()")
        raise Divergence(f"change: the <{described}> found cannot be filled out")
    return kind


async def value_problem(element: ElementHandle, value: str) -> str | None:
    """None when the element holds `value`; else what it holds instead."""
    found = str(await element.evaluate(VALUE_JS))
    if found == value:
        return None
    return f"holds {found[:200]!r}, not the recorded {value[:200]!r}"
