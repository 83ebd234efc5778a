/* officegym viewer: one episode — its goal, a step slider, the screenshot with what the step
 * did drawn on it, the agent's messages and the accessibility tree of the step, checkpoints. */
"use strict";

(function (OG) {
  const { el, svg, fmt } = OG;
  const LABEL_GAP = 24; // px of the page between stacked labels (keys, navigations)
  let overlays = 0; // numbers each overlay's arrowhead id: two panels may show at once

  function row(label, ...value) {
    return el("tr", {}, el("th", { text: label }), el("td", {}, ...value));
  }

  function facts(e) {
    const rows = [];
    if (e.task) rows.push(row("Task", `${e.task}${e.seed !== null && e.seed !== undefined ? ` (seed ${e.seed})` : ""}`));
    if (e.source) rows.push(row("Source", e.source));
    if (e.variant && e.variant !== "clean") rows.push(row("Variant", e.variant));
    if (e.attacked === true || e.attacked === false) rows.push(row("Injected instruction", el("span", { class: e.attacked ? "bad" : "ok", text: e.attacked ? "followed (attacked)" : "not followed" })));
    rows.push(row("Outcome", OG.badge(e.outcome), e.score !== null && e.score !== undefined ? ` score ${fmt.num(e.score)}` : ""));
    rows.push(row("Steps, time", `${fmt.int(e.step_count)} steps in ${fmt.secs(e.seconds)}`));
    const usage = e.usage || {};
    const used = OG.tokens(usage);
    rows.push(row("Tokens, cost", used === null ? "not reported" : `${fmt.int(used)} tokens (${fmt.int(usage.prompt)} prompt, ${fmt.int(usage.completion)} completion)`,
      usage.cost !== undefined ? ` · ${fmt.cost(usage.cost)}` : "", usage.requests !== undefined ? ` · ${fmt.int(usage.requests)} requests` : ""));
    if (e.metrics && e.metrics.steps_ratio !== null) rows.push(row("Against the reference", `${fmt.num(e.metrics.steps_ratio)}× its steps, ${fmt.num(e.metrics.time_ratio)}× its time`));
    if (e.answer) rows.push(row("Answer", el("span", { class: "answer", text: e.answer })));
    if (e.error) rows.push(row("Error", el("span", { class: "err", text: e.error })));
    if (e.problem) rows.push(row("Reading", el("span", { class: "err", text: e.problem })));
    if (e.note) rows.push(row("Note", el("span", { class: "dim", text: e.note })));
    return el("table", { class: "kv facts" }, rows);
  }

  function checkpoints(e) {
    if (!e.checkpoints.length) {
      return el("p", { class: "dim", text: "source" in e ? "No checkpoints: a recording is not scored here (replay it to judge it)." : "No evaluation: the episode did not end." });
    }
    return el("table", { class: "checkpoints" },
      el("thead", {}, el("tr", {}, ["checkpoint", "kind", "weight", "passed", "detail"].map((h) => el("th", { text: h })))),
      el("tbody", {}, e.checkpoints.map((c) => el("tr", {},
        el("td", { text: c.name }), el("td", { text: c.kind }), el("td", { text: fmt.num(c.weight, 1) }),
        el("td", { class: c.passed ? "ok" : "bad", text: c.passed ? "✓ passed" : "✗ failed" }), el("td", { text: c.detail })
      )))
    );
  }

  /** The marks of a step drawn over its screenshot, in the page's coordinates. */
  function overlay(step, viewport) {
    const [width, height] = viewport;
    const arrow = `og-arrow-${(overlays += 1)}`;
    const layer = svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", "aria-hidden": "true", class: "overlay" },
      svg("defs", {}, svg("marker", { id: arrow, viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", class: "m-arrowhead" }))));
    let stacked = 0;
    // A label beside its point (`gap` away), on the left of it near the right edge, and never
    // above or below the page.
    const label = (x, y, text, kind, gap = 0) => {
      const left = x > width * 0.65;
      return svg("text", { class: `m-label m-${kind}-label`, x: left ? x - gap : x + gap, y: Math.max(24, Math.min(height - 8, y)), "text-anchor": left ? "end" : null, text });
    };
    for (const m of step.marks) {
      const placed = m.x !== undefined && m.y !== undefined;
      if (m.kind === "click" && placed) {
        layer.append(svg("circle", { class: "m-click", cx: m.x, cy: m.y, r: 14 }), label(m.x, m.y + 7, m.label, m.kind, 20));
      } else if (m.kind === "drag" && m.path) {
        const d = m.path.map(([x, y], i) => `${i ? "L" : "M"}${x},${y}`).join(" ");
        const [x0, y0] = m.path[0];
        const [x1, y1] = m.path[m.path.length - 1];
        layer.append(svg("circle", { class: "m-drag-start", cx: x0, cy: y0, r: 8 }), svg("path", { class: "m-drag", d, "marker-end": `url(#${arrow})` }), label(x1, y1 + 7, m.label, m.kind, 16));
      } else if (m.kind === "type" && placed) {
        if (m.width) layer.append(svg("rect", { class: "m-type", x: m.x, y: m.y, width: m.width, height: m.height }));
        layer.append(label(m.x, m.y + (m.height || 0) + 20, m.label, m.kind));
      } else if (m.kind === "move" && placed) {
        layer.append(svg("path", { class: "m-move", d: `M${m.x},${m.y} l0,22 l6,-6 l9,0 z` }), label(m.x, m.y + 28, m.label, m.kind, 18));
      } else if (m.kind === "scroll" && placed) {
        layer.append(svg("path", { class: "m-scroll", d: `M${m.x},${m.y - 24} V${m.y + 24}`, "marker-end": `url(#${arrow})` }), label(m.x, m.y, m.label, m.kind, 14));
      } else {
        stacked += 1; // keys, navigations, answers, and marks with no position: a corner list
        layer.append(label(10, 8 + LABEL_GAP * stacked, (m.kind === "key" ? "⌨ " : "") + m.label, m.kind));
      }
    }
    return layer;
  }

  function agentMessages(agent) {
    if (!agent) return null;
    const used = agent.tokens ? `${fmt.int(agent.tokens.prompt)} prompt + ${fmt.int(agent.tokens.completion)} completion tokens` : "tokens not reported";
    return el("section", { class: "agent" },
      el("h3", { text: "The model" }),
      el("p", { class: "dim", text: `${agent.request_s !== undefined ? fmt.num(agent.request_s, 2) + " s · " : ""}${used}` }),
      agent.reply !== undefined ? el("div", {}, el("h4", { text: "Reply" }), el("pre", { class: "reply", text: agent.reply })) : null,
      agent.action ? el("div", {}, el("h4", { text: "Parsed action" }), el("code", { class: "parsed", text: agent.action })) : null,
      agent.error ? el("p", { class: "err", text: agent.error }) : null
    );
  }

  function stepDetails(step) {
    return el("div", { class: "step-details" },
      el("h3", { text: `Step ${step.n}` }),
      el("p", {}, el("code", { class: "action", text: step.action })),
      el("ul", { class: "marks", "aria-label": "what the step did" }, step.marks.map((m) => el("li", { "data-kind": m.kind, text: m.label }))),
      step.error ? el("p", { class: "err", text: step.error }) : null,
      step.url ? el("p", { class: "dim" }, "then at ", el("span", { class: "url", text: step.url })) : null,
      step.think_ms !== undefined ? el("p", { class: "dim", text: `agent ${fmt.int(step.think_ms)} ms · env ${fmt.int(step.env_ms)} ms` }) : null,
      agentMessages(step.agent),
      step.axtree ? el("details", { class: "axtree" }, el("summary", { text: "Accessibility tree the agent saw" }), el("pre", { text: step.axtree })) : null
    );
  }

  /** A step slider and what one step shows; `go(n)` moves it, `onmove(n)` hears of it. */
  OG.episodePanel = function (episode, onmove) {
    const steps = episode.steps;
    const shot = el("div", { class: "shot-area" });
    const details = el("div", { class: "details-area" });
    const where = el("output", { class: "where" });
    const slider = el("input", { type: "range", class: "step-slider", min: 1, max: Math.max(steps.length, 1), value: 1, "aria-label": "Step", disabled: steps.length < 2 });
    const panel = { node: null, current: 0 };
    panel.go = function (n) {
      if (!steps.length) return;
      const index = Math.max(1, Math.min(steps.length, n)) - 1;
      const step = steps[index];
      panel.current = index + 1;
      slider.value = String(index + 1);
      where.textContent = `Step ${index + 1} of ${steps.length}`;
      const figure = el("figure", { class: "shot", "data-step": step.n });
      if (step.frame) {
        figure.append(el("img", { src: step.frame, alt: `the page before step ${step.n}` }));
      } else {
        figure.classList.add("no-frame");
        figure.style.aspectRatio = `${episode.viewport[0]} / ${episode.viewport[1]}`;
        figure.append(el("p", { class: "dim", text: "no screenshot for this step" }));
      }
      figure.append(overlay(step, episode.viewport));
      shot.replaceChildren(figure);
      details.replaceChildren(stepDetails(step));
      if (onmove) onmove(index + 1);
    };
    slider.addEventListener("input", () => panel.go(Number(slider.value)));
    const controls = el("div", { class: "stepper" },
      el("button", { type: "button", class: "prev", "aria-label": "previous step", text: "‹", onclick: () => panel.go(panel.current - 1) }),
      slider,
      el("button", { type: "button", class: "next", "aria-label": "next step", text: "›", onclick: () => panel.go(panel.current + 1) }),
      where,
      el("span", { class: "dim keys", text: "← → or j k" })
    );
    panel.node = steps.length
      ? el("section", { class: "steps" }, controls, el("div", { class: "step-grid" }, shot, details))
      : el("p", { class: "dim", text: "No steps recorded." });
    return panel;
  };

  OG.goalBlock = function (episode) {
    return el("section", { class: "goal" }, el("h2", { text: "Goal" }),
      el("p", { class: "goal-text", text: episode.goal || "(not recorded: the task is not registered here)" }));
  };

  /** A whole episode: `#/episode/ID/STEP` (this run) or `#/baseline/ID/STEP`. */
  function episodeView(list, route) {
    return function (main, [id, step]) {
      const episode = OG.findEpisode(list(), id);
      if (!episode) {
        main.append(el("p", { class: "err", text: `No episode ${id} here.` }), el("a", { href: "#/episodes", text: "← all episodes" }));
        return;
      }
      const panel = OG.episodePanel(episode, (n) => OG.settle(OG.href(route, episode.id, n)));
      main.append(
        el("p", {}, el("a", { href: route === "baseline" ? "#/compare" : "#/episodes", text: route === "baseline" ? "← the comparison" : "← all episodes" })),
        el("h1", { class: "episode-title" }, el("span", { text: episode.id }), " ", OG.badge(episode.outcome)),
        OG.goalBlock(episode),
        facts(episode),
        el("h2", { text: "Steps" }),
        panel.node,
        el("h2", { text: "Checkpoints" }),
        checkpoints(episode)
      );
      panel.go(Number(step) || 1);
      OG.onStepKeys((delta) => panel.go(panel.current + delta));
    };
  }

  OG.views.episode = episodeView(() => OG.data.episodes, "episode");
  OG.views.baseline = episodeView(() => (OG.data.compare || {}).episodes, "baseline");
  OG.facts = facts;
  OG.checkpoints = checkpoints;
})(OG);
