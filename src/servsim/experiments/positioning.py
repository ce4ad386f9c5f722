"""Positioning (seed 000): which strategy wins, is it an equilibrium, and why.

The main sweep is a three-player positioning game: Company A, the foreign brand
and the small firms each play premium, low-cost or differentiated (27 profiles
on the same seeds).  After a burn-in (not measured) every firm's outcome is its
measured cumulative profit plus its terminal customer equity (customers at the
end x CLV): the *long-run value*.  The analysis reports the payoff matrix, the
profiles that are Nash equilibria in mean value (no firm gains by changing its
own positioning alone), the map of Company A's best reply to each rival profile,
and three parts (``PARTS``): the price-swapped control, rivals that react on
price, and the rival-advantage x own-service grid.  ``heterogeneity`` (the
``heterogeneity`` config group's values) is kept for the market-space presets.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from servsim import conf, plots, stats, tables
from servsim.experiments.common import (
    Findings,
    assumptions_box,
    by_seed,
    difference,
    series_panels,
    winner,
    with_value,
)
from servsim.replicate import Replications

TITLE = "Positioning: which service strategy wins, and is it an equilibrium (seed 000)"
QUESTION = """
Company A is squeezed between a premium foreign brand and many low-price small makers.
Should it position its service as premium, low-cost or differentiated (service tiered by
customer value)? Which positioning is its best reply to each thing the rivals might do, which
profiles of the three firms' positionings are stable (Nash equilibria), does a strategy win by
its service or by its price, and how much own service makes up for a rival's advantage?
"""

PARTS = ("positioning_swap", "positioning_react", "positioning_gap")
"""Further presets of this experiment (see configs/experiment/positioning.yaml)."""

ARM = "strategy"
FOREIGN = "market.competitors.foreign.strategy"
SMALL = "market.competitors.small_firms.strategy"
PLAYERS = (("focal", ARM), ("foreign", FOREIGN), ("small_firms", SMALL))
STRATS = ("premium", "lowcost", "differentiated")
SHORT = {"premium": "PREM", "lowcost": "LOW", "differentiated": "DIFF"}
HOME = ("premium", "lowcost")
"""Company A's own market: the foreign brand premium, the small firms low-cost."""
VALUE = "long_run_value"
HET_ORDER = ("uniform", "mild", "baseline", "polarized")
HET_VALUE = {"uniform": 0.0, "mild": 0.5, "baseline": 1.0, "polarized": 1.5}


def heterogeneity(h: float, segments: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Segment values at heterogeneity ``h`` (what ``configs/heterogeneity/*.yaml`` hold).

    ``segments`` maps names to dicts with ``share``, ``value``,
    ``price_sensitivity`` and ``expectation`` (Company A's, h = 1).  Value and
    price sensitivity scale geometrically around their share-weighted mean,
    which is kept: ``x_s(h) = mean(x) g_s^h / sum_k w_k g_k^h`` with
    ``g_s = x_s / geomean(x)``; expectation scales linearly:
    ``x_s(h) = mean(x) + h (x_s - mean(x))``.
    """
    names = list(segments)
    w = np.array([segments[n]["share"] for n in names], dtype=float)
    out: dict[str, dict[str, float]] = {n: {} for n in names}
    for key in ("value", "price_sensitivity"):
        x = np.array([segments[n][key] for n in names], dtype=float)
        g = np.exp(h * (np.log(x) - (w * np.log(x)).sum()))
        scaled = (w * x).sum() * g / (w * g).sum()
        for n, v in zip(names, scaled, strict=True):
            out[n][key] = float(v)
    e = np.array([segments[n]["expectation"] for n in names], dtype=float)
    mean = (w * e).sum()
    for n, v in zip(names, mean + h * (e - mean), strict=True):
        out[n]["expectation"] = float(v)
    return out


def _part(frame: pd.DataFrame, part: str) -> pd.DataFrame:
    if "part" not in frame.columns:
        return frame if part == "positioning" else frame.iloc[0:0]
    return frame[frame["part"] == part]


def _money(x: float) -> str:
    return tables.num(x, 3)


def analyze(data: Replications, out: Path) -> Findings:
    """Payoff matrix and equilibria, best replies, the three parts; figures."""
    runs = with_value(data.runs)
    game = _part(runs, "positioning")
    focal = game[game["is_focal"].astype(bool)]
    steps = _part(data.steps, "positioning")
    lines = [_burn_in_text(steps, focal)]
    payoff, profiles = _payoffs(game)
    lines += ["", "### The positioning game: payoff matrix and equilibria", "",
              _equilibria_text(payoff, profiles), "", _matrix_table(payoff, profiles)]
    lines += ["", "### Company A's best reply to each rival profile", "", _replies(focal)]
    for part, fn in (("positioning_swap", _swap_text), ("positioning_react", _react_text),
                     ("positioning_gap", _gap_text)):
        rows = _part(runs, part)
        if len(rows):
            lines += ["", fn(rows[rows["is_focal"].astype(bool)], focal)]
    lines += ["", assumptions_box(runs[runs["is_focal"].astype(bool)], ASSUMPTIONS)]
    figures = [_matrix_figure(out, payoff, profiles), _series_figure(out, steps)]
    return Findings("\n".join(lines), [f for f in figures if f])


OWN_LONG_RUN_TABLES = True
"""The findings hold this experiment's long-run tables and its assumptions box (its parts
have different factors, so the generic one-table-per-design-cell summary would be empty)."""

ASSUMPTIONS = (
    "Each firm's outcome is measured cumulative profit plus terminal customer equity "
    "(`long_run_value`); the payoff matrix holds its mean over the seeds and an equilibrium "
    "is a profile no firm can improve on in mean by changing only its own positioning (the "
    "three firms choose once, simultaneously; no entry or exit).",
    "A positioning is a strategy preset (service level, staffing, training, recovery and "
    "price together): premium 1.40, differentiated 1.05, low-cost 0.80; the price-swapped "
    "control separates the price from the rest.",
    "Demand, costs and the calibration are the market preset's (Company A, B2B): its "
    "price response is calibrated to a focal long-run price elasticity of -1.2 (ODD 7.9; "
    "a judgement from the direction Tellis 1988 reports for industrial goods, not a "
    "measured B2B value). At it the focal firm's profit-maximising price is well above "
    "the market reference (1.26 on validation check 12's grid for its default preset, "
    "the foreign premium brand's 2.1), which favours the dearer positionings; a "
    "consumer-like -2 would favour lower prices. The finding is only as good as that "
    "price response and the costs of service.",
    "Shares at the end of the burn-in are still close to the day-0 allocation when "
    "customers are this loyal (see the burn-in line): the customer-equity term carries "
    "the allocation's value forward, which favours whoever holds customers at the start.",
)


def _burn_in_text(steps: pd.DataFrame, focal: pd.DataFrame) -> str:
    burn = int(focal["burn_in_days"].iloc[0]) if "burn_in_days" in focal.columns else 0
    if steps.empty or not burn:
        return "No burn-in: outcomes count every day from the day-0 allocation."
    home = steps[(steps[FOREIGN] == HOME[0]) & (steps[SMALL] == HOME[1])]
    parts = []
    for arm in STRATS:
        one = home[home[ARM] == arm]
        if one.empty:
            continue
        first = one[one["day"] == one["day"].min()]["share"].mean()
        at = one.iloc[(one["day"] - burn).abs().argsort()[:1]]["day"].iloc[0]
        mid = one[one["day"] == at]["share"].mean()
        end = one[one["day"] == one["day"].max()]["share"].mean()
        parts.append(f"{arm} {first:.3f} → {mid:.3f} → {end:.3f}")
    return (f"**Burn-in.** Outcomes are measured after a {burn}-day burn-in. Company A's share "
            f"of active customers in its own market (foreign premium, small firms low-cost), "
            f"first week → end of burn-in → end, mean over the seeds: " + "; ".join(parts)
            + ". Where the share still moves during the measured days, the market has not "
            "settled and customer equity values the base it ends with.")


def _payoffs(game: pd.DataFrame):
    """Mean long-run value of each firm in each profile (focal, foreign, small)."""
    profiles = [p for p in itertools.product(STRATS, STRATS, STRATS)
                if ((game[ARM] == p[0]) & (game[FOREIGN] == p[1]) & (game[SMALL] == p[2])).any()]
    payoff = {}
    for prof in profiles:
        cell = game[(game[ARM] == prof[0]) & (game[FOREIGN] == prof[1]) & (game[SMALL] == prof[2])]
        for firm, _ in PLAYERS:
            rows = cell[cell["firm"] == firm]
            payoff[prof, firm] = (float(rows[VALUE].mean()),
                                  float(rows["cumulative_profit"].mean()))
    return payoff, profiles


def _is_nash(payoff, profiles, prof, k: int) -> bool:
    for i, (firm, _) in enumerate(PLAYERS):
        for alt in STRATS:
            dev = list(prof)
            dev[i] = alt
            dev = tuple(dev)
            if dev in profiles and payoff[dev, firm][k] > payoff[prof, firm][k]:
                return False
    return True


def _equilibria_text(payoff, profiles) -> str:
    lines = []
    for k, name in ((0, "long-run value (profit + customer equity)"), (1, "measured profit")):
        eq = [p for p in profiles if _is_nash(payoff, profiles, p, k)]
        desc = "; ".join("(" + ", ".join(p) + ")" for p in eq) if eq else "none in pure strategies"
        lines.append(f"- Nash equilibria in mean {name} (Company A, foreign, small firms): {desc}.")
    everyone = ("premium",) * 3
    if everyone in profiles:
        stable = _is_nash(payoff, profiles, everyone, 0)
        best_for_all = all(payoff[everyone, f][0] >= max(payoff[p, f][0] for p in profiles)
                           for f, _ in PLAYERS)
        if stable and best_for_all:
            lines.append("- **WARNING: \"everyone premium\" is an equilibrium AND the most "
                         "profitable profile for every firm. In a market where the highest "
                         "price and service wins for all, the calibration is wrong (demand does "
                         "not answer price, or service costs too little); do not read this map "
                         "as advice.**")
        elif stable:
            lines.append("- \"Everyone premium\" is an equilibrium but not the best profile "
                         "for every firm.")
        else:
            lines.append("- \"Everyone premium\" is not an equilibrium: some firm gains by "
                         "leaving it.")
    return "\n".join(lines)


def _matrix_table(payoff, profiles) -> str:
    rows = []
    for rival in itertools.product(STRATS, STRATS):
        cells = [(a, *rival) for a in STRATS if (a, *rival) in profiles]
        if not cells:
            continue
        best = max(cells, key=lambda p: payoff[p, "focal"][0])
        row = [f"foreign {rival[0]}, small {rival[1]}"]
        for a in STRATS:
            p = (a, *rival)
            if p not in profiles:
                row.append("—")
                continue
            text = " / ".join(_money(payoff[p, f][0]) for f, _ in PLAYERS)
            row.append(f"**{text}**" if p == best else text)
        rows.append(row)
    return ("Mean long-run value (cu) of Company A / foreign / small firms in each profile; "
            "rows: the rivals' positionings, columns: Company A's; bold: Company A's best "
            "reply.\n\n" + tables.markdown(pd.DataFrame(
                rows, columns=["rivals", *[f"A {a}" for a in STRATS]])))


def _replies(focal: pd.DataFrame) -> str:
    rows = []
    arms = [a for a in STRATS if a in set(focal[ARM])]
    for rival in itertools.product(STRATS, STRATS):
        within = {FOREIGN: rival[0], SMALL: rival[1]}
        if not ((focal[FOREIGN] == rival[0]) & (focal[SMALL] == rival[1])).any():
            continue
        row = [f"foreign {rival[0]}, small {rival[1]}"]
        for metric in (VALUE, "cumulative_profit", "customer_equity"):
            row.append(winner(focal, metric, ARM, arms, within).describe(metric))
        rows.append(row)
    return ("Company A's best positioning per rival profile (margin over the runner-up on the "
            "same seeds, paired t-test):\n\n" + tables.markdown(pd.DataFrame(
                rows, columns=["rivals", "long-run value", "measured profit",
                               "customer equity"])))


def _cell(frame: pd.DataFrame, where: dict) -> pd.Series:
    return by_seed(frame, VALUE, where)


def _swap_text(swap: pd.DataFrame, _focal: pd.DataFrame) -> str:
    prices = sorted(set(swap["strategy.price"].astype(float)))
    rows = []
    for arm in STRATS:
        row = [arm]
        for p in prices:
            row.append(tables.ci(stats.mean_ci(_cell(swap, {ARM: arm, "strategy.price": p}))))
        rows.append(row)
    at_price = []
    for p in prices:
        part = swap[swap["strategy.price"].astype(float) == p]
        w = winner(part, VALUE, ARM, [a for a in STRATS if a in set(part[ARM])])
        at_price.append(f"at price {p:.2f} {w.describe(VALUE)}")
    by_price = []
    for arm in STRATS:
        part = swap[swap[ARM] == arm]
        best = max(prices, key=lambda p: float(
            part[part["strategy.price"].astype(float) == p][VALUE].mean()))
        by_price.append(f"{arm} does best at price {best:.2f}")
    return ("### Price-swapped control (Company A's own market)\n\n"
            "Long-run value (cu) of each strategy's service at each strategy's price, mean "
            "[95% CI]:\n\n" + tables.markdown(pd.DataFrame(
                rows, columns=["service of", *[f"price {p:.2f}" for p in prices]]))
            + "\n\nWith the price held equal, the best service is: " + "; ".join(at_price)
            + ". Each service's best price: " + "; ".join(by_price) + ". Where the ranking at "
            "a common price differs from the ranking at the strategies' own prices, the "
            "own-price ranking is the price's doing, not the service's.")


def _react_text(react: pd.DataFrame, focal: pd.DataFrame) -> str:
    home = focal[(focal[FOREIGN] == HOME[0]) & (focal[SMALL] == HOME[1])]
    seeds = sorted(set(react["seed"]))
    home = home[home["seed"].isin(seeds)].assign(**{"market.reaction": "none"})
    both = pd.concat([home, react], ignore_index=True)
    rows = []
    for reaction in ("none", "follow", "best_response"):
        part = both[both["market.reaction"] == reaction]
        if part.empty:
            continue
        arms = [a for a in STRATS if a in set(part[ARM])]
        w = winner(part, VALUE, ARM, arms)
        rows.append([reaction, w.describe(VALUE)] + [
            tables.ci(stats.mean_ci(by_seed(part, VALUE, {ARM: a}))) for a in STRATS])
    return ("### Rivals that react on price (Company A's own market, seeds "
            f"{seeds[0]}–{seeds[-1]})\n\n" + tables.markdown(pd.DataFrame(
                rows, columns=["rivals' reaction", "best (vs runner-up)",
                               *[f"{a}: value (cu)" for a in STRATS]]))
            + "\n\nnone: the rivals keep their presets' prices (the main sweep's cells on the "
            "same seeds); follow and best_response: ODD 7.18, reviewed every 30 days.")


def _gap_keys() -> tuple[str, str]:
    data = yaml.safe_load((conf.CONFIG_DIR / "experiment" / "positioning_gap.yaml").read_text())
    keys = [k for k in data["hydra"]["sweeper"]["params"] if k not in ("seed", ARM)]
    return keys[0], keys[1]


def _gap_text(gap: pd.DataFrame, _focal: pd.DataFrame) -> str:
    adv, own = _gap_keys()
    if adv not in gap.columns or own not in gap.columns:
        return ""
    advs = sorted(set(gap[adv].astype(float)))
    owns = sorted(set(gap[own].astype(float)))
    means = {(a, o): float(gap[(gap[adv].astype(float) == a)
                               & (gap[own].astype(float) == o)][VALUE].mean())
             for a in advs for o in owns}
    rows = [[f"{a:g}"] + [_money(means[a, o]) for o in owns] for a in advs]
    ref_own = owns[len(owns) // 2]
    ref = means[advs[0], ref_own]
    offsets = []
    for a in advs[1:]:
        enough = [o for o in owns if means[a, o] >= ref]
        offsets.append(f"against `{adv}` = {a:g}, " + (
            f"own `{own}` = {enough[0]:g} keeps the value of ({advs[0]:g}, {ref_own:g})"
            if enough else f"no own `{own}` up to {owns[-1]:g} makes it up"))
    return ("### Rival advantage × own service (Company A)\n\n"
            f"Mean long-run value (cu) of Company A; rows: `{adv}`, columns: `{own}`:\n\n"
            + tables.markdown(pd.DataFrame(rows, columns=[adv, *[f"{o:g}" for o in owns]]))
            + "\n\nWhere own service makes up for the rival's advantage: " + "; ".join(offsets)
            + ".")


def _matrix_figure(out: Path, payoff, profiles) -> tuple[str, str] | None:
    if not profiles:
        return None
    fig, axes = plots.figure(1, 1, width=6.4, height=5.2)
    ax = axes[0, 0]
    rivals = [r for r in itertools.product(STRATS, STRATS)
              if any((a, *r) in profiles for a in STRATS)]
    img = np.full((len(rivals), len(STRATS)), np.nan)
    for i, r in enumerate(rivals):
        for j, a in enumerate(STRATS):
            if (a, *r) in profiles:
                img[i, j] = payoff[(a, *r), "focal"][0]
    ax.imshow(img, aspect="auto", cmap="viridis")
    for i, r in enumerate(rivals):
        best = int(np.nanargmax(img[i]))
        for j, a in enumerate(STRATS):
            if np.isfinite(img[i, j]):
                nash = _is_nash(payoff, profiles, (a, *r), 0)
                ax.text(j, i, tables.num(img[i, j], 3) + (" *" if j == best else "")
                        + ("\nNash" if nash else ""), ha="center", va="center", fontsize=7,
                        color="white")
    ax.set_xticks(range(len(STRATS)), [f"A {SHORT[a]}" for a in STRATS], fontsize=8)
    ax.set_yticks(range(len(rivals)), [f"F {SHORT[f]} / S {SHORT[s]}" for f, s in rivals],
                  fontsize=8)
    ax.set_title("Company A's long-run value (cu) by profile", fontsize=10)
    plots.save(fig, out / "payoff.png")
    return ("payoff.png", "Company A's mean long-run value (measured profit + terminal customer "
            "equity) in each profile of the positioning game (rows: foreign / small firms); * "
            "Company A's best reply, Nash: no firm gains in mean by changing only its own "
            "positioning.")


def _series_figure(out: Path, steps: pd.DataFrame) -> tuple[str, str] | None:
    if steps.empty:
        return None
    home = steps[(steps[FOREIGN] == HOME[0]) & (steps[SMALL] == HOME[1])]
    if home.empty:
        return None
    file = series_panels(out, "series.png", home,
                         (("share", "market share"), ("satisfaction", "satisfaction"),
                          ("cumulative_profit", "cumulative profit (cu)")), hue=ARM,
                         order=[a for a in STRATS if a in set(home[ARM])])
    return (file, "Company A's own market (foreign premium, small firms low-cost): weekly "
            "means over the seeds with 95% bands, burn-in included (cumulative profit here "
            "counts from day 0).")
