/* officegym viewer: the episode list (filter, sort, search), the run's summary and totals,
 * the plots, and the replay verdicts. */
"use strict";

(function (OG) {
  const { el, svg, fmt, data } = OG;
  // What the list shows; kept while the viewer is open, so going back to it finds it as left.
  const state = { query: "", outcome: "", family: "", variant: "", error_kind: "", sort: "id", dir: 1 };
  // Whether the run was played under a variant, or carried injected instructions: only then
  // does the list show each episode's variant and whether it was attacked.
  const VARIANTS = (data.episodes || []).some((e) => (e.variant !== undefined && e.variant !== "clean") || (e.attacked !== undefined && e.attacked !== null));
  const ATTACKED = { true: "yes", false: "no" };
  const COLUMNS = [
    { key: "id", label: "episode" },
    { key: "family", label: "family" },
    ...(VARIANTS
      ? [
          { key: "variant", label: "variant" },
          { key: "attacked", label: "attacked", value: (e) => (e.attacked === null || e.attacked === undefined ? null : Number(e.attacked)), show: (e) => ATTACKED[e.attacked] || "" },
        ]
      : []),
    { key: "outcome", label: "outcome" },
    { key: "score", label: "score", show: (e) => fmt.num(e.score) },
    { key: "step_count", label: "steps", show: (e) => fmt.int(e.step_count) },
    { key: "seconds", label: "seconds", show: (e) => fmt.num(e.seconds, 1) },
    { key: "tokens", label: "tokens", value: (e) => OG.tokens(e.usage), show: (e) => fmt.int(OG.tokens(e.usage)) },
    { key: "cost", label: "cost", value: (e) => e.usage.cost, show: (e) => fmt.cost(e.usage.cost) },
    { key: "error_kind", label: "error kind" },
    { key: "error", label: "error" },
  ];
  // Outcomes offered whether or not an episode has them ("unknown": a recording that claims
  // neither success nor failure).
  const OUTCOMES = ["success", "failure", "error"];
  const FILTERS = [
    ["outcome", "outcome"],
    ["family", "task family"],
    ...(VARIANTS ? [["variant", "variant"]] : []),
    ["error_kind", "error kind"],
  ];

  function valueOf(column, episode) {
    return column.value ? column.value(episode) : episode[column.key];
  }

  function matches(episode) {
    for (const [field] of FILTERS) {
      if (state[field] && episode[field] !== state[field]) return false;
    }
    if (!state.query) return true;
    const haystack = [episode.id, episode.task, episode.variant, episode.goal, episode.error, episode.answer, episode.source]
      .filter(Boolean)
      .join("\n")
      .toLowerCase();
    return state.query
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .every((word) => haystack.includes(word));
  }

  function compare(a, b) {
    const column = COLUMNS.find((c) => c.key === state.sort) || COLUMNS[0];
    const x = valueOf(column, a);
    const y = valueOf(column, b);
    const missing = (v) => v === null || v === undefined || v === "";
    if (missing(x) || missing(y)) return missing(x) - missing(y); // blanks last, either way
    const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return order * state.dir || a.id.localeCompare(b.id);
  }

  function totalsList(totals) {
    const rows = [
      ["episodes", fmt.int(totals.episodes)],
      ["success", `${totals.success} of ${totals.episodes}`],
      ["steps", fmt.int(totals.steps)],
      ["time", fmt.secs(totals.seconds)],
      ["tokens", OG.tokens(totals) === null ? "not reported" : `${fmt.int(OG.tokens(totals))} (${fmt.int(totals.prompt)} prompt, ${fmt.int(totals.completion)} completion)`],
      ["cost", totals.cost === undefined ? "not reported" : fmt.cost(totals.cost)],
    ];
    if (totals.requests !== undefined) rows.push(["requests", fmt.int(totals.requests)]);
    return el("dl", { class: "totals", id: "totals" }, rows.map(([k, v]) => el("div", {}, el("dt", { text: k }), el("dd", { text: v }))));
  }

  /** Horizontal bars of rates in [0, 1] with their confidence intervals as whiskers. */
  function ciBars(rows, title) {
    const ROW = 26, LABEL = 220, WIDTH = 420, PAD = 12;
    const height = PAD * 2 + ROW * rows.length + 18;
    const x = (v) => LABEL + Math.max(0, Math.min(1, v)) * WIDTH;
    const plot = svg("svg", { class: "plot", role: "img", "aria-label": title, viewBox: `0 0 ${LABEL + WIDTH + 60} ${height}`, width: LABEL + WIDTH + 60, height }, svg("title", { text: title }));
    [0, 0.5, 1].forEach((tick) => {
      plot.append(svg("path", { class: "grid", d: `M${x(tick)},${PAD - 4} V${height - 18}` }));
      plot.append(svg("text", { class: "tick", x: x(tick), y: height - 4, text: fmt.pct(tick) }));
    });
    rows.forEach(([label, mean, low, high], i) => {
      const y = PAD + i * ROW, mid = y + ROW / 2;
      plot.append(
        svg("text", { class: "label", x: LABEL - 8, y: mid + 4, text: label.length > 30 ? label.slice(0, 29) + "…" : label }),
        svg("rect", { class: "bar", x: LABEL, y: y + 5, width: x(mean) - LABEL, height: ROW - 10 }, svg("title", { text: `${label}: ${fmt.pct(mean)} (CI ${fmt.pct(low)}–${fmt.pct(high)})` })),
        svg("path", { class: "ci", d: `M${x(low)},${mid} H${x(high)} M${x(low)},${mid - 6} V${mid + 6} M${x(high)},${mid - 6} V${mid + 6}` }),
        svg("text", { class: "value", x: LABEL + WIDTH + 8, y: mid + 4, text: fmt.pct(mean) })
      );
    });
    return plot;
  }

  function summarySection(summary) {
    const o = summary.overall;
    const ci = `${OG.level(summary.alpha)} CI`;
    const kv = el("table", { class: "kv" },
      el("tr", {}, el("th", { text: "Success rate" }), el("td", { text: fmt.pct(o.success.mean) }), el("td", { class: "dim", text: `${ci} ${fmt.pct(o.success.low)} – ${fmt.pct(o.success.high)}, resampling ${o.templates} task templates` })),
      el("tr", {}, el("th", { text: "Mean score" }), el("td", { text: fmt.num(o.score.mean) }), el("td", { class: "dim", text: `${ci} ${fmt.num(o.score.low)} – ${fmt.num(o.score.high)}` })),
      Object.entries(summary.pass_at_k || {}).map(([k, v]) =>
        el("tr", {}, el("th", { text: `pass@${k} / pass^${k}` }), el("td", { text: `${fmt.pct(v)} / ${fmt.pct((summary.pass_hat_k || {})[k])}` }), el("td", { class: "dim", text: "over seeds, averaged over tasks" }))
      ),
      summary.attack_success
        ? el("tr", {}, el("th", { text: "Attack success" }), el("td", { text: fmt.pct(summary.attack_success.mean) }), el("td", { class: "dim", text: `${ci} ${OG.interval(summary.attack_success, (r) => `${fmt.pct(r.low)} – ${fmt.pct(r.high)}`)}, over ${summary.attack_success.episodes} episodes with an injected instruction` }))
        : null,
      summary.attack_unknown
        ? el("tr", { id: "attack-unknown" }, el("th", { text: "Attack unknown" }), el("td", { text: fmt.int(summary.attack_unknown) }), el("td", { class: "dim", text: "episodes with an injected instruction that ended (timeout, crash, agent error) before the attack was judged; not in attack success" }))
        : null,
      summary.efficiency && summary.efficiency.with_reference
        ? el("tr", {}, el("th", { text: "Steps ÷ reference" }), el("td", { text: fmt.num(summary.efficiency.median_steps_ratio) }), el("td", { class: "dim", text: `median over ${summary.efficiency.with_reference} episodes with a reference` }))
        : null
    );
    const groups = [["per_app", "Per app", "app"], ["per_tag", "Per skill", "skill"]].map(([key, title, what]) => {
      const entries = Object.entries(summary[key] || {});
      return el("details", { class: "group" },
        el("summary", { text: `${title} (${entries.length})` }),
        ciBars(entries.map(([name, g]) => [name, g.success.mean, g.success.low, g.success.high]), `Success ${title.toLowerCase()}, with ${OG.level(summary.alpha)} confidence intervals`),
        el("table", {},
          el("thead", {}, el("tr", {}, [what, "episodes", "templates", "success", ci, "mean score"].map((h) => el("th", { text: h })))),
          el("tbody", {}, entries.map(([name, g]) => el("tr", {}, [name, g.episodes, g.templates, fmt.pct(g.success.mean), `${fmt.pct(g.success.low)} – ${fmt.pct(g.success.high)}`, fmt.num(g.score.mean)].map((v) => el("td", { text: v })))))
        )
      );
    });
    return el("section", { id: "summary" }, el("h2", { text: "Summary" }), kv, variantTable(summary), groups);
  }

  /** Success, attack success and the drop from clean per variant, each with its interval
   * ("n/a" over fewer than two templates); only for a run of more than one variant or with
   * injected instructions. */
  function variantTable(summary) {
    const entries = Object.entries(summary.per_variant || {});
    if (entries.length < 2 && !summary.attack_success && !summary.attack_unknown) return null;
    const level = `${OG.level(summary.alpha)} CI`;
    const ci = (r) => OG.interval(r, (x) => `${fmt.pct(x.low)} – ${fmt.pct(x.high)}`);
    const points = (r) => (r ? `${fmt.signed(r.mean)} pts` : "–");
    const pointsCi = (r) => OG.interval(r, (x) => `${fmt.signed(x.low)} to ${fmt.signed(x.high)}`);
    return el("div", { id: "per-variant" },
      el("h3", { text: `Per variant (${entries.length})` }),
      el("table", {},
        el("thead", {}, el("tr", {}, ["variant", "episodes", "templates", "success", level, "attack success", level, "attack unknown", "drop from clean", level, "pairs"].map((h) => el("th", { text: h })))),
        el("tbody", {}, entries.map(([name, v]) => el("tr", { "data-variant": name },
          [OG.variantLabel(name), v.episodes, v.templates, fmt.pct(v.success.mean), ci({ templates: v.templates, ...v.success }),
            v.attack_success ? fmt.pct(v.attack_success.mean) : "–", ci(v.attack_success), v.attack_unknown || 0,
            points(v.drop), pointsCi(v.drop), v.drop ? v.drop.pairs : ""].map((value) => el("td", { text: value })))))
      ),
      el("p", { class: "dim", text: "Attack success: share of the episodes with an injected instruction, judged, where the agent did what it asked. Attack unknown: injected episodes that ended (timeout, crash, agent error) before the attack was judged. Drop from clean: clean success minus the variant's, over episodes of the same task and seed; intervals resample task templates (n/a over fewer than two)." })
    );
  }

  function controls(episodes, redraw) {
    const search = el("input", { type: "search", id: "search", value: state.query, placeholder: "id, task, goal, error, answer", "aria-label": "Search episodes", oninput: () => { state.query = search.value; redraw(); } });
    const selects = FILTERS.map(([field, label]) => {
      const count = (v) => episodes.filter((e) => e[field] === v).length;
      const known = field === "outcome" ? OUTCOMES : [];
      const values = [...new Set([...known, ...episodes.map((e) => e[field]).filter(Boolean)])];
      values.sort((a, b) => (known.includes(b) - known.includes(a)) || a.localeCompare(b));
      const select = el("select", { id: `filter-${field.replace("_", "-")}`, "aria-label": label, onchange: () => { state[field] = select.value; redraw(); } },
        el("option", { value: "", text: `any ${label}` }),
        values.map((v) => el("option", { value: v, text: `${v} (${count(v)})`, selected: v === state[field] }))
      );
      return el("label", {}, `${label} `, select);
    });
    return el("div", { class: "controls", role: "search" }, el("label", {}, "search ", search), selects);
  }

  function table(rows) {
    const head = el("tr", {}, COLUMNS.map((column) => {
      const sorted = state.sort === column.key;
      return el("th", { "aria-sort": sorted ? (state.dir > 0 ? "ascending" : "descending") : "none" },
        el("button", { type: "button", class: "sort", "data-key": column.key, text: column.label + (sorted ? (state.dir > 0 ? " ▲" : " ▼") : ""), onclick: () => {
          state.dir = state.sort === column.key ? -state.dir : 1;
          state.sort = column.key;
          OG.views.episodes(document.getElementById("app"));
        } })
      );
    }));
    const body = rows.map((e) => el("tr", { "data-id": e.id },
      COLUMNS.map((column) => {
        if (column.key === "id") return el("td", {}, el("a", { href: OG.href("episode", e.id), text: e.id }));
        if (column.key === "outcome") return el("td", {}, OG.badge(e.outcome));
        const shown = column.show ? column.show(e) : valueOf(column, e);
        return el("td", { class: column.key === "error" ? "err" : null, text: shown === "" || shown === undefined ? "" : shown });
      })
    ));
    return el("table", { id: "episodes", class: "list" }, el("thead", {}, head), el("tbody", {}, body));
  }

  OG.views.episodes = function (main) {
    const episodes = data.episodes;
    const listing = el("div", { id: "listing" });
    const count = el("p", { id: "count", class: "dim", "aria-live": "polite" });
    const redraw = () => {
      const rows = episodes.filter(matches).sort(compare);
      count.textContent = `${rows.length} of ${episodes.length} episodes`;
      listing.replaceChildren(rows.length ? table(rows) : el("p", { class: "empty", text: "No episode matches." }));
    };
    main.replaceChildren(
      el("h1", { text: data.title }),
      el("p", { class: "dim" }, el("code", { text: data.source }), ` · written ${data.written}`,
        data.info && data.info.action_mode ? ` · action mode ${data.info.action_mode}` : ""),
      totalsList(data.totals),
      data.summary ? summarySection(data.summary) : null,
      el("section", { id: "list" }, el("h2", { text: "Episodes" }), controls(episodes, redraw), count, listing)
    );
    redraw();
  };

  OG.views.verdicts = function (main) {
    const v = data.verdicts;
    if (!v) return OG.views.episodes(main);
    const counts = {};
    v.rows.forEach((r) => (counts[r.verdict] = (counts[r.verdict] || 0) + 1));
    main.append(
      el("h1", { text: "Replay verdicts" }),
      el("p", { class: "dim", id: "verdict-counts" }, "From ", el("code", { text: v.source }), `: ${v.rows.length} trajectories — ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", ")}`),
      el("table", { id: "verdicts", class: "list" },
        el("thead", {}, el("tr", {}, ["trajectory", "task", "seed", "verdict", "event", "reason", "findings"].map((h) => el("th", { text: h })))),
        el("tbody", {}, v.rows.map((r) => el("tr", {},
          el("td", {}, el("code", { text: r.trajectory })), el("td", { text: r.task }), el("td", { text: r.seed }),
          el("td", {}, el("span", { class: `badge ${r.verdict === "valid" ? "success" : "failure"}`, text: r.verdict })),
          el("td", { text: r.event_index ?? "" }), el("td", { text: r.reason || "" }),
          el("td", {}, (Array.isArray(r.findings) ? r.findings : []).map((f) => el("div", { text: `${f.kind}${f.event_index != null ? " @" + f.event_index : ""}: ${f.evidence || f.detail || ""}` })))
        )))
      )
    );
  };

  OG.ciBars = ciBars;
})(OG);
