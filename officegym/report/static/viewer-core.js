/* officegym viewer, core: the data, building DOM, formatting, routes and keys.
 *
 * Plain JavaScript, no library, nothing fetched: the page's data is the JSON in
 * <script id="officegym-data">, and every text from it goes in with textContent (el() below),
 * never as markup: goals, replies and recordings come from anywhere.
 */
"use strict";

var OG = (function () {
  const data = JSON.parse(document.getElementById("officegym-data").textContent);
  const views = {}; // route name -> function (main, args) drawing the view into main
  const SVG_NS = "http://www.w3.org/2000/svg";
  let keys = null; // the current view's handler of navigation keys, if it has one

  /** An element with properties and children; strings become text, never markup. */
  function el(tag, props, ...children) {
    return fill(document.createElement(tag), props, children);
  }

  /** An SVG element, as el() makes HTML ones. */
  function svg(tag, props, ...children) {
    return fill(document.createElementNS(SVG_NS, tag), props, children);
  }

  function fill(node, props, children) {
    for (const [name, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "class") node.setAttribute("class", value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const dash = "–";
  const fmt = {
    pct: (v) => (v === null || v === undefined ? dash : `${Math.round(v * 100)}%`),
    num: (v, digits = 2) => (v === null || v === undefined ? dash : Number(v).toFixed(digits)),
    int: (v) => (v === null || v === undefined ? dash : Math.round(v).toLocaleString("en-US")),
    cost: (v) => (v === null || v === undefined ? dash : `$${Number(v).toFixed(4)}`),
    secs: (v) => (v === null || v === undefined ? dash : `${Number(v).toFixed(1)} s`),
    signed: (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v * 100).toFixed(1)}`,
  };

  /** The confidence level of intervals at `alpha`, as headers show it: 0.05 → "95%". */
  function level(alpha) {
    const a = typeof alpha === "number" ? alpha : 0.05;
    return `${Number(((1 - a) * 100).toFixed(2))}%`;
  }

  /** A variant's name for people: the figures key the clean episodes by "", which no variant
   * can be named; a variant stored as "clean" reads apart from them (as variant_label does). */
  function variantLabel(name) {
    return name === "" ? "clean" : name === "clean" ? "clean (variant)" : name;
  }

  /** An interval's text, or "n/a" when it resampled fewer than two templates (no width). */
  function interval(r, text) {
    if (!r) return "";
    return r.templates !== undefined && r.templates < 2 ? "n/a" : text(r);
  }

  /** The tokens an episode (or a run's totals) used, prompt and completion together. */
  function tokens(usage) {
    if (!usage || (usage.prompt === undefined && usage.completion === undefined)) return null;
    return (usage.prompt || 0) + (usage.completion || 0);
  }

  /** A hash route from its parts, each encoded: ids are text from anywhere. */
  function href(...parts) {
    return "#/" + parts.map((p) => encodeURIComponent(String(p))).join("/");
  }

  /** Change the address to a route without drawing it again (a step moved in place). */
  function settle(route) {
    if (location.hash !== route) history.replaceState(null, "", route);
  }

  function findEpisode(list, id) {
    return (list || []).find((e) => e.id === id) || null;
  }

  function badge(outcome) {
    return el("span", { class: `badge ${outcome}`, text: outcome });
  }

  function nav(current) {
    const links = [["episodes", `Episodes (${data.episodes.length})`]];
    if (data.compare) links.push(["compare", "Compare"]);
    if (data.verdicts) links.push(["verdicts", "Replay verdicts"]);
    document.getElementById("nav").replaceChildren(
      ...links.map(([name, label]) =>
        el("a", { href: href(name), "aria-current": name === current ? "page" : null, text: label })
      )
    );
  }

  function parts() {
    try {
      return location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
    } catch (err) {
      return []; // a malformed address: the episode list
    }
  }

  function route() {
    const [name, ...args] = parts();
    const view = views[name] ? name : "episodes";
    keys = null;
    const main = document.getElementById("app");
    main.replaceChildren();
    views[view](main, args);
    nav(view === "episode" ? "episodes" : view === "pair" || view === "baseline" ? "compare" : view);
    window.scrollTo(0, 0);
  }

  /** Whether a key press belongs to the control it was typed into, not to navigation (a step
   * slider moves itself with the arrows; j and k still step). */
  function forControl(event) {
    const target = event.target;
    const tag = target && target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT" || target.type === "checkbox" || target.type === "button") return false;
    return target.type !== "range" || event.key.startsWith("Arrow");
  }

  document.addEventListener("keydown", (event) => {
    if (!keys || forControl(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const move = { ArrowLeft: -1, k: -1, ArrowRight: 1, j: 1 }[event.key];
    if (move) {
      event.preventDefault();
      keys(move);
    }
  });
  window.addEventListener("hashchange", route);
  document.addEventListener("DOMContentLoaded", route);

  return {
    data,
    views,
    el,
    svg,
    fmt,
    level,
    variantLabel,
    interval,
    tokens,
    href,
    settle,
    badge,
    findEpisode,
    /** Let the current view take ←/→ and j/k: `handler(-1 | +1)`. */
    onStepKeys: (handler) => {
      keys = handler;
    },
  };
})();
