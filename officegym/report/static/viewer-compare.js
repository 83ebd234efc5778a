/* officegym viewer: this run against a baseline — the paired statistics, what flipped, every
 * pair, and a pair's two episodes side by side, stepping together. */
"use strict";

(function (OG) {
  const { el, svg, fmt } = OG;
  const FLIPS = { "pass->fail": "pass → fail", "fail->pass": "fail → pass" };

  /** Bars of a difference in [-1, 1] from a centre line: worse to the left, better right. */
  function differenceBars(rows, title) {
    const ROW = 26, LABEL = 220, WIDTH = 420, PAD = 12;
    const height = PAD * 2 + ROW * rows.length + 18;
    const centre = LABEL + WIDTH / 2;
    const plot = svg("svg", { class: "plot", role: "img", "aria-label": title, viewBox: `0 0 ${LABEL + WIDTH + 60} ${height}`, width: LABEL + WIDTH + 60, height }, svg("title", { text: title }));
    rows.forEach(([label, diff], i) => {
      const y = PAD + i * ROW;
      const end = centre + Math.max(-1, Math.min(1, diff)) * (WIDTH / 2);
      plot.append(
        svg("text", { class: "label", x: LABEL - 8, y: y + ROW / 2 + 4, text: label.length > 30 ? label.slice(0, 29) + "…" : label }),
        svg("rect", { class: diff < 0 ? "worse" : "better", x: Math.min(centre, end), y: y + 5, width: Math.abs(end - centre), height: ROW - 10 }, svg("title", { text: `${label}: ${fmt.signed(diff)} points` })),
        svg("text", { class: "value", x: LABEL + WIDTH + 8, y: y + ROW / 2 + 4, text: `${fmt.signed(diff)} pts` })
      );
    });
    plot.append(svg("path", { class: "zero", d: `M${centre},${PAD - 4} V${height - 18}` }));
    return plot;
  }

  function outcomeOf(list, id) {
    const episode = id ? OG.findEpisode(list, id) : null;
    return episode ? OG.badge(episode.outcome) : el("span", { class: "dim", text: "not in this run" });
  }

  function statsTable(c, s) {
    const significant = s.significant_regression;
    return el("table", { class: "kv", id: "compare-stats" },
      el("tr", {}, el("th", { text: "Success" }), el("td", { text: `${fmt.pct(s.success_a)} → ${fmt.pct(s.success_b)} over ${s.pairs} pairs` })),
      el("tr", {}, el("th", { text: "Difference B − A" }), el("td", { text: `${fmt.signed(s.difference)} points (${OG.level(s.alpha)} CI by task ${fmt.signed(s.ci_low)} to ${fmt.signed(s.ci_high)}, ${s.interval_excludes_zero ? "excludes 0" : "holds 0"})` })),
      el("tr", {}, el("th", { text: "Exact McNemar" }), el("td", { text: `p = ${Number(s.p_value).toPrecision(4)} (${s.a_only} solved only by A, ${s.b_only} only by B)` })),
      el("tr", {}, el("th", { text: "Verdict" }), el("td", { class: significant ? "bad" : "ok", text: `${significant ? "significant regression" : "no significant regression"} at alpha ${s.alpha}` })),
      s.attack_pairs
        ? [
            el("tr", {}, el("th", { text: "Attack success" }), el("td", { text: `${fmt.pct(s.attack_a)} → ${fmt.pct(s.attack_b)} over ${s.attack_pairs} pairs with an injected instruction` })),
            el("tr", {}, el("th", { text: "Exact McNemar (attacks)" }), el("td", { text: `p = ${Number(s.attack_p_value).toPrecision(4)} (${s.attack_a_only} attacked only in A, ${s.attack_b_only} only in B)` })),
            el("tr", {}, el("th", { text: "Attack verdict" }), el("td", { class: s.significant_attack_rise ? "bad" : "ok", text: `${s.significant_attack_rise ? "significant attack rise" : "no significant attack rise"} at alpha ${s.alpha}` })),
          ]
        : null,
      s.attack_unknown_a || s.attack_unknown_b
        ? el("tr", { id: "compare-attack-unknown" }, el("th", { text: "Attack unknown" }), el("td", { text: `${s.attack_unknown_a} in A, ${s.attack_unknown_b} in B: injected episodes that ended before the attack was judged (not in the attack pairs)` }))
        : null,
      el("tr", {}, el("th", { text: "Tokens, cost" }), el("td", { text: `A ${usageText(c.totals)} · B ${usageText(OG.data.totals)}` }))
    );
  }

  function usageText(totals) {
    const used = OG.tokens(totals);
    if (used === null && totals.cost === undefined) return "not reported";
    return `${fmt.int(used)} tokens${totals.cost !== undefined ? `, ${fmt.cost(totals.cost)}` : ""}`;
  }

  /** A pair's name: its task (with the variant, if any) and seed. */
  function pairName(p) {
    return `${p.task}${p.variant ? "@" + p.variant : ""} seed ${p.seed}`;
  }

  function pairLink(p) {
    const route = p.variant ? OG.href("pair", p.task, p.seed, p.variant) : OG.href("pair", p.task, p.seed);
    return el("a", { href: route, text: pairName(p) });
  }

  /** Success and attack success of the paired episodes, a row per variant: the difference
   * with its task-clustered interval ("n/a" over one template), the attacks with their exact
   * McNemar, and the injected episodes never judged; only when the runs hold more than one
   * variant or injected instructions. */
  function variantRows(s) {
    const entries = Object.entries(s.per_variant || {});
    if (entries.length < 2 && !s.attack_pairs && !s.attack_unknown_a && !s.attack_unknown_b) return null;
    const ci = (r) => OG.interval(r, (x) => `${fmt.signed(x.ci_low)} to ${fmt.signed(x.ci_high)}`);
    return el("section", { id: "variants" },
      el("h2", { text: "Per variant" }),
      el("table", { class: "list", id: "compare-variants" },
        el("thead", {}, el("tr", {}, ["variant", "pairs", "success A", "success B", "difference", `${OG.level(s.alpha)} CI`, "attack pairs", "attack A", "attack B", "attacked only A/B", "attack p", "attack unknown A/B"].map((h) => el("th", { text: h })))),
        el("tbody", {}, entries.map(([name, r]) => el("tr", { "data-variant": name },
          [OG.variantLabel(name), r.pairs, fmt.pct(r.success_a), fmt.pct(r.success_b), `${fmt.signed(r.difference)} pts`, ci(r),
            r.attack_pairs, fmt.pct(r.attack_a), fmt.pct(r.attack_b), `${r.attack_a_only}/${r.attack_b_only}`,
            r.attack_pairs ? Number(r.attack_p_value).toPrecision(4) : "–", `${r.attack_unknown_a}/${r.attack_unknown_b}`].map((v) => el("td", { text: v })))))
      )
    );
  }

  OG.views.compare = function (main) {
    const c = OG.data.compare;
    if (!c) return OG.views.episodes(main);
    const s = c.stats;
    const flips = c.pairs.filter((p) => p.flip);
    main.append(
      el("h1", { text: "This run against its baseline" }),
      el("p", { class: "dim" }, "Baseline (A) ", el("strong", { text: c.baseline.title }), " ", el("code", { text: c.baseline.source }),
        " · this run (B) ", el("strong", { text: OG.data.title }), " ", el("code", { text: OG.data.source })),
      statsTable(c, s),
      variantRows(s) || "",
      el("section", { id: "flips" }, el("h2", { text: `What flipped (${flips.length})` }),
        flips.length
          ? el("ul", { class: "flips" }, flips.map((p) => el("li", { "data-flip": p.flip }, el("span", { class: `flip ${p.flip === "pass->fail" ? "bad" : "ok"}`, text: FLIPS[p.flip] }), " ", pairLink(p))))
          : el("p", { class: "dim", text: "Nothing flipped: every paired episode has the same outcome in both runs." })),
      el("h2", { text: "Per task" }),
      differenceBars(Object.entries(s.per_task).map(([task, r]) => [task, r.difference]), "Success difference per task, this run minus the baseline"),
      el("h2", { text: "Every pair" }),
      el("table", { class: "list", id: "pairs" },
        el("thead", {}, el("tr", {}, ["task, seed", "A (baseline)", "B (this run)", "flip"].map((h) => el("th", { text: h })))),
        el("tbody", {}, c.pairs.map((p) => el("tr", { "data-flip": p.flip || "none" },
          el("td", {}, p.a && p.b ? pairLink(p) : pairName(p)),
          el("td", {}, outcomeOf(c.episodes, p.a)), el("td", {}, outcomeOf(OG.data.episodes, p.b)),
          el("td", { class: p.flip === "pass->fail" ? "bad" : p.flip ? "ok" : "dim", text: FLIPS[p.flip] || "same" })
        )))
      )
    );
  };

  /** `#/pair/TASK/SEED[/VARIANT]`: the baseline's episode and this run's, side by side. */
  OG.views.pair = function (main, [task, seed, variant = ""]) {
    const c = OG.data.compare;
    const pair = c && c.pairs.find((p) => p.task === task && String(p.seed) === seed && (p.variant || "") === variant);
    const a = pair && OG.findEpisode(c.episodes, pair.a);
    const b = pair && OG.findEpisode(OG.data.episodes, pair.b);
    if (!a || !b) {
      main.append(el("p", { class: "err", text: `No pair ${pairName({ task, seed, variant })} in both runs.` }), el("a", { href: "#/compare", text: "← the comparison" }));
      return;
    }
    const panels = [a, b].map((episode) => OG.episodePanel(episode));
    const side = (title, episode, panel, route) => el("div", { class: "side" },
      el("h2", {}, el("span", { text: title }), " ", OG.badge(episode.outcome)),
      el("p", {}, el("a", { href: OG.href(route, episode.id), text: episode.id })),
      OG.facts(episode), panel.node, el("h3", { text: "Checkpoints" }), OG.checkpoints(episode));
    main.append(
      el("p", {}, el("a", { href: "#/compare", text: "← the comparison" })),
      el("h1", {}, `${pairName(pair)} `, pair.flip ? el("span", { class: `flip ${pair.flip === "pass->fail" ? "bad" : "ok"}`, text: FLIPS[pair.flip] }) : ""),
      OG.goalBlock(b),
      el("div", { class: "pair" }, side("A · baseline", a, panels[0], "baseline"), side("B · this run", b, panels[1], "episode"))
    );
    panels.forEach((p) => p.go(1));
    OG.onStepKeys((delta) => panels.forEach((p) => p.go(p.current + delta)));
  };
})(OG);
