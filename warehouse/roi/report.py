"""The ROI as a commissioner reads it: one object per site and the collaborative.

:func:`reports` turns an :class:`warehouse.roi.summary.Estimate` into plain objects
(the JSON of ``m4c roi --json`` and the ``roi_summary`` table), with every count passed
through disclosure control (:func:`warehouse.disclosure.disclose`) and every assumption
listed; :func:`text` writes them for people.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from warehouse.disclosure import HIDDEN, NOTE, disclose
from warehouse.roi.design import COLLABORATIVE, TREATED
from warehouse.roi.inputs import INTERVENTION, month_text
from warehouse.roi.summary import Estimate
from warehouse.roi.uncertainty import probability_positive, summary

COUNTS = (
    "before", "after", "expected", "occupied_bed_days_before", "occupied_bed_days_after"
)  # fmt: skip
MIN_EVENTS = 8  # a rate ratio resting on a cell of 1-7 events is hidden with its counts


def _num(x: float | None, digits: int = 0) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits) if digits else float(round(x))


def _interval(x: np.ndarray, digits: int = 0) -> dict[str, float | None]:
    est, lo, hi = summary(x)
    return {"estimate": _num(est, digits), "lower": _num(lo, digits), "upper": _num(hi, digits)}


def assumptions(est: Estimate) -> list[str]:
    """Every assumption behind the figures, in words (docs/roi.md §5)."""
    o, uc = est.options, est.unit_costs
    flagged = uc.frame.filter(pl.col("assumption"))["title"].to_list()
    baseline = (
        "every month before the start"
        if o.baseline_months is None
        else f"the last {o.baseline_months} months before the start"
    )
    return [
        f"Prices are of {uc.price_year} (unit costs version {uc.version}); older prices are "
        "uprated with the NHS cost inflation index.",
        "Perspective: the NHS and personal social services; the time horizon is the "
        "programme's months in the data, discounted at 3.5% a year beyond the first.",
        f"Attribution: {o.attribution:.0%} of the change is credited to the programme "
        f"(range {o.attribution_range[0]:.0%}-{o.attribution_range[1]:.0%}); an assumption, "
        "as other changes run at the same time.",
        f"Baseline: {baseline}; the expected events are the baseline rate on the "
        "programme months' occupied bed days, times the comparison homes' change.",
        "Comparison homes are the homes of other sites running no change idea aimed at "
        "the resource; where there are none the estimate is uncontrolled, and says so.",
        "The controlled rate ratio (against the comparison homes) leads, and the money "
        "follows it: the plain before/after ratio beside it also carries the change every "
        "home saw (a secular trend) and the drift back of a site that started after a bad "
        "spell (regression to the mean).",
        "An emergency admission is priced at the site's observed mix of long stays (2+ "
        "nights) and short stays before the start; hospital bed days are counted as "
        "capacity freed but not priced again (the admission tariff covers them).",
        "Avoided admissions, A&E attendances, ambulance conveyances and GP time free "
        "capacity; they release no cash. Prescribing and ONS savings release cash.",
        "GP and out-of-hours contacts are those that followed an incident in the home "
        "(S5a, S5b): other contacts are not in the extracts, so these savings are a floor.",
        "Unit costs flagged as unverified assumptions: " + "; ".join(flagged) + ".",
        f"Intervals: {o.draws:,} bootstrap resamples of homes within sites (seed {o.seed}), "
        "each with unit costs drawn from gamma distributions over their ranges.",
    ]


def _counts_table(est: Estimate) -> pl.DataFrame:
    d = est.draws
    cells = est.cells.filter(pl.col("arm") == TREATED)
    by = cells.group_by("analysis", "resource").agg(
        before=pl.col("o0").sum(),
        after=pl.col("o1").sum(),
        occupied_bed_days_before=pl.col("e0").sum(),
        occupied_bed_days_after=pl.col("e1").sum(),
    )
    grid = [
        {"analysis": a, "resource": r, "expected": float(d.expected[0, i, j])}
        for i, a in enumerate(d.analyses)
        for j, r in enumerate(d.resources)
    ]
    roles = est.starts.select("analysis", "role")
    table = (
        pl.DataFrame(grid)
        .join(by, on=["analysis", "resource"], how="left")
        .join(roles, on="analysis")
        .with_columns(pl.col(c).fill_null(0.0).fill_nan(0.0) for c in COUNTS)
    )
    programme = table.filter(pl.col("role") == INTERVENTION)
    total = (
        programme.group_by("resource")
        .agg(pl.col(c).sum() for c in COUNTS)
        .with_columns(analysis=pl.lit(COLLABORATIVE), role=pl.lit(INTERVENTION))
    )
    out = pl.concat([table, total.select(table.columns)]).with_columns(
        is_total=pl.col("analysis") == COLLABORATIVE,
        group=pl.when(pl.col("role") == INTERVENTION)
        .then(pl.lit("programme"))
        .otherwise(pl.col("analysis")),
    )
    money = [r.id for r in est.resources if r.in_pounds]
    return out.filter(~pl.col("resource").is_in(money))


def _rate(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("estimate", "lower", "upper")
    return {k: _num(row[k], 3) for k in keep} | {"model": row["model"] or None}


def reports(est: Estimate, names: pl.DataFrame | None = None) -> list[dict[str, Any]]:
    """One object per analysed site, then the collaborative (see ``m4c roi --json``)."""
    d, uc = est.draws, est.unit_costs
    if est.starts.is_empty():
        return [_nothing_to_evaluate(est)]
    site_names = (
        dict(names.select("site_id", "site_name").unique().iter_rows()) if names is not None else {}
    )
    table = _counts_table(est)
    disclosed = disclose(
        table, list(COUNTS), total_rows="is_total", groups=["resource", "group"]
    ).frame
    shown = {(r["analysis"], r["resource"]): r for r in disclosed.iter_rows(named=True)}
    raw = {(r["analysis"], r["resource"]): r for r in table.iter_rows(named=True)}
    rr = {
        (r["analysis"], r["resource"], r["controlled"]): r
        for r in est.rate_ratios.iter_rows(named=True)
    }
    comparison_cells = (
        est.cells.filter(pl.col("arm") != TREATED)
        .group_by("analysis", "resource")
        .agg(c0=pl.col("o0").sum(), c1=pl.col("o1").sum(), homes=pl.col("home_id").n_unique())
    )
    comp = {(r["analysis"], r["resource"]): r for r in comparison_cells.iter_rows(named=True)}
    programme = (est.starts["role"] == INTERVENTION).to_numpy()
    programme_names = est.starts.filter(pl.col("role") == INTERVENTION)["analysis"].to_list()
    common = {"price_year": uc.price_year, "unit_costs_version": uc.version}
    out = []
    for i, name in enumerate([*d.analyses, COLLABORATIVE]):
        pooled = name == COLLABORATIVE
        pick = (lambda x: x[:, programme].sum(axis=1)) if pooled else (lambda x, i=i: x[:, i])
        role = INTERVENTION if pooled else est.starts["role"][i]
        entry: dict[str, Any] = {
            "site_id": name,
            "site_name": "All sites" if pooled else site_names.get(name, name),
            "role": "collaborative" if pooled else role,
            **common,
            **_periods(est, name, pooled),
        }
        resources = []
        for j, res in enumerate(est.resources):
            key = (name, res.id)
            ctrl, unctrl = rr.get((*key, True)), rr.get((*key, False))
            headline = ctrl if ctrl and ctrl["estimate"] is not None else unctrl
            item = {"resource": res.id, "title": res.title, "unit": res.unit, "saving": res.saving}
            if headline is None:
                resources.append(item | {"estimate": None, "note": "no data"})
                continue
            avoided = pick(d.avoided[:, :, j]) if pooled else d.avoided[:, i, j]
            saving = pick(d.by_resource[:, :, j]) if pooled else d.by_resource[:, i, j]
            item |= _rate(headline) | {
                "controlled": bool(headline["controlled"]),
                "dispersion_t": _num(headline["dispersion"], 2),
                "dispersion_p": _num(headline["dispersion_p"], 4),
                "alpha": _num(headline["alpha"], 3),
                "homes_treated": headline["homes_treated"],
                "homes_comparison": headline["homes_comparison"],
                "uncontrolled": _rate(unctrl) if unctrl else None,
                "note": headline["note"]
                or ("" if headline["controlled"] else (ctrl["note"] if ctrl else "no comparison")),
            }
            if res.in_pounds:  # money, not counts of people: shown to the pound
                pounds = est.cells.filter(
                    (pl.col("arm") == TREATED)
                    & (pl.col("resource") == res.id)
                    & (
                        pl.col("analysis").is_in(programme_names)
                        if pooled
                        else pl.col("analysis") == name
                    )
                )
                recorded = pounds.height > 0
                item |= {
                    "before": _num(pounds["o0"].sum()) if recorded else None,
                    "after": _num(pounds["o1"].sum()) if recorded else None,
                    "expected": _num(
                        float(
                            np.nansum(
                                d.expected[0, programme, j] if pooled else d.expected[0, i, j]
                            )
                        )
                    )
                    if recorded
                    else None,
                    "avoided": _interval(avoided) if recorded else None,
                }
            else:
                cells, public = raw.get(key), shown.get(key)
                c = comp.get(key, {})
                small = (
                    cells is None
                    or min(
                        cells["before"],
                        cells["after"],
                        c.get("c0", MIN_EVENTS),
                        c.get("c1", MIN_EVENTS),
                    )
                    < MIN_EVENTS
                )
                if small and cells is not None and max(cells["before"], cells["after"]) > 0:
                    item |= {
                        "estimate": None,
                        "lower": None,
                        "upper": None,
                        "note": f"hidden: fewer than {MIN_EVENTS} events in a period",
                    }
                hidden = public is None or public["after"] is None or public["expected"] is None
                item |= {k: (public or {}).get(k) for k in COUNTS}
                item["avoided"] = None if hidden else _interval(avoided)
            item["saving_gbp"] = _interval(saving) if res.saving != "none" else None
            resources.append(item)
        entry["rate_ratios"] = resources
        if role != INTERVENTION:
            entry |= {
                "note": "No change ideas at this site: no programme to cost. Its rate ratios "
                "are a placebo check from the collaborative's first start month and should "
                "cover 1.",
                **dict.fromkeys(NO_MONEY),
            }
        else:
            entry |= _money(est, pick, name)
        entry["sensitivity"] = (
            est.sensitivity.filter(pl.col("analysis") == name)
            .drop("analysis")
            .with_columns(
                pl.col("net_low", "net_high", "swing").round(0),
                pl.col("roi_low", "roi_high").round(3),
            )
            .to_dicts()
            if role == INTERVENTION
            else []
        )
        entry["assumptions"] = assumptions(est)
        entry["disclosure"] = NOTE
        out.append(entry)
    return out


NO_MONEY = (
    "intervention_cost", "costs_avoided", "attributable_savings", "net_benefit", "roi",
    "benefit_cost_ratio", "probability_roi_positive", "break_even_admissions",
    "cash_releasing", "capacity", "threshold",
)  # fmt: skip


def _nothing_to_evaluate(est: Estimate) -> dict[str, Any]:
    """The one report when no site has a change idea: what is missing, and where."""
    return {
        "site_id": COLLABORATIVE,
        "site_name": "All sites",
        "role": "collaborative",
        "price_year": est.unit_costs.price_year,
        "unit_costs_version": est.unit_costs.version,
        "baseline": None,
        "intervention": None,
        "note": "No site's change log (qi_log/change_log.csv) has a change idea with a "
        "start date, so there is no programme to evaluate yet.",
        "rate_ratios": [],
        **dict.fromkeys(NO_MONEY),
        "sensitivity": [],
        "assumptions": assumptions(est),
        "disclosure": NOTE,
    }


def _periods(est: Estimate, name: str, pooled: bool) -> dict[str, Any]:
    rows = est.rows.filter(pl.col("arm") == TREATED)
    rows = (
        rows.filter(pl.col("role") == INTERVENTION)
        if pooled
        else rows.filter(pl.col("analysis") == name)
    )
    if rows.is_empty():
        return {"baseline": None, "intervention": None}

    def span(post: bool) -> dict[str, Any] | None:
        p = rows.filter(pl.col("post") == post)["period"]
        if p.is_empty():
            return None
        return {
            "from": p.min().isoformat(),
            "to": p.max().isoformat(),
            "months": p.n_unique(),
            "text": f"{month_text(p.min())} to {month_text(p.max())}",
        }

    return {"baseline": span(False), "intervention": span(True)}


def _money(est: Estimate, pick, name: str) -> dict[str, Any]:
    d, o = est.draws, est.options
    cost, gross, savings = pick(d.cost), pick(d.gross), pick(d.savings)
    net = savings - cost
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(cost > 0, net / cost, np.nan)
        bcr = np.where(cost > 0, savings / cost, np.nan)
    adm = [r.id for r in est.resources].index("emergency_admissions")
    if name == COLLABORATIVE:
        programme = (est.starts["role"] == INTERVENTION).to_numpy()
        exp_adm = d.expected[0, programme, adm].sum()
        nel = float(np.nansum(d.nel_price[0, programme] * d.expected[0, programme, adm]) / exp_adm)
    else:
        i = d.analyses.index(name)
        nel = float(d.nel_price[0, i])
    c0 = float(cost[0])
    sites = (
        est.starts.filter(pl.col("role") == INTERVENTION)["analysis"].to_list()
        if name == COLLABORATIVE
        else [name]
    )
    lines = est.costs.filter(pl.col("site_id").is_in(sites))
    basis = sorted(set(lines["basis"].to_list())) if lines.height else []
    by_category = (
        (
            lines.group_by("category")
            .agg(pl.col("cost").sum().round(0))
            .sort("cost", descending=True)
        ).to_dicts()
        if lines.height
        else []
    )
    break_even = c0 / nel if nel > 0 else None  # C / unit cost of an admission (§3.2 step 4)
    return {
        "intervention_cost": _interval(cost) | {"basis": basis, "by_category": by_category},
        "costs_avoided": _interval(gross),
        "attributable_savings": _interval(savings),
        "net_benefit": _interval(net),
        "roi": _interval(roi, 3),
        "benefit_cost_ratio": _interval(bcr, 3),
        "probability_roi_positive": _num(probability_positive(roi), 3),
        "cash_releasing": _interval(pick(d.cash)),
        "capacity": _interval(pick(d.capacity)),
        "break_even_admissions": _num(break_even, 1),
        "threshold": {
            "admission_price": _num(nel, 2),
            "observed_fall_in_admissions_needed": _num(
                break_even / o.attribution if break_even else None, 1
            ),
            "attribution_needed": _num(c0 / float(gross[0]) if gross[0] > 0 else None, 3),
        },
    }


def pounds(v: float | None, missing: str = "n/a") -> str:
    """Money as a commissioner reads it, to the pound.

    Examples
    --------
    >>> pounds(41250.4), pounds(None), pounds(-1200) == "\N{MINUS SIGN}£1,200"
    ('£41,250', 'n/a', True)
    """
    if v is None:
        return missing
    return f"−£{abs(v):,.0f}" if v < 0 else f"£{v:,.0f}"


def percent(v: float | None, missing: str = "n/a") -> str:
    """A share as a whole percentage (``0.27`` -> ``27%``)."""
    return missing if v is None else f"{v:.0%}".replace("-", "\N{MINUS SIGN}")


def interval_text(
    x: dict[str, float | None] | None, fmt=pounds, lead: str = "95% interval "
) -> str:
    """An estimate and its interval: ``£41,250 (95% interval £12,000 to £70,100)``.

    ``"—"`` when there is no estimate.

    Examples
    --------
    >>> interval_text({"estimate": 0.27, "lower": 0.1, "upper": 0.6}, percent, lead="")
    '27% (10% to 60%)'
    """
    if not x or x.get("estimate") is None:
        return "—"
    return f"{fmt(x['estimate'])} ({lead}{fmt(x['lower'])} to {fmt(x['upper'])})"


def ratio_text(rate: dict[str, Any]) -> str:
    """A rate ratio and its 95% interval, two decimals each (a dash when there is none)."""
    if rate.get("estimate") is None:
        return "—"
    return f"{rate['estimate']:.2f} ({rate['lower']:.2f}–{rate['upper']:.2f})"


def model_text(rate: dict[str, Any]) -> str:
    """How a rate ratio was estimated, and any note: ``negative binomial, controlled``."""
    kind = "controlled" if rate.get("controlled") else "uncontrolled"
    model = f"{rate['model']}, {kind}" if rate.get("model") else ""
    return "; ".join(x for x in (model, rate.get("note") or "") if x)


def count_text(v: Any, money: bool = False) -> str:
    """A suppressed count (``*`` when hidden) or an amount (``-`` when missing)."""
    if v is None:
        return "-" if money else HIDDEN
    return pounds(v) if money else f"{v:,.0f}"


def text(items: list[dict[str, Any]]) -> str:
    """The reports as plain text for a commissioner."""
    out = []
    for e in items:
        head = (
            f"{e['site_name']} ({e['site_id']})" if e["site_id"] != COLLABORATIVE else "All sites"
        )
        out.append(f"{head}: return on investment at {e['price_year']} prices")
        if e["intervention"]:
            out.append(
                f"  Programme months {e['intervention']['text']}; baseline "
                f"{e['baseline']['text'] if e['baseline'] else 'none'}."
            )
        if e["intervention_cost"] is None:
            out.append(f"  {e['note']}")
        else:
            cash_recorded = any(
                r.get("before") is not None for r in e["rate_ratios"] if r["saving"] == "cash"
            )
            cash = (
                interval_text(e["cash_releasing"])
                if cash_recorded
                else "not recorded: the site's GP extracts carry no drug costs"
            )
            basis = ", ".join(e["intervention_cost"]["basis"]) or "no costs recorded"
            rows = [
                ("Programme cost", f"{interval_text(e['intervention_cost'])} [{basis}]"),
                ("Costs avoided", interval_text(e["costs_avoided"])),
                ("Credited (attribution)", interval_text(e["attributable_savings"])),
                ("  cash-releasing", cash),
                ("  capacity, not cash", interval_text(e["capacity"])),
                ("Net benefit", interval_text(e["net_benefit"])),
                (
                    "Return on investment",
                    f"{interval_text(e['roi'], percent)}; chance it is above zero: "
                    f"{(e['probability_roi_positive'] or 0):.0%}",
                ),
            ]
            out += [f"  {label:<24}{value}" for label, value in rows]
            if e["break_even_admissions"] is not None:
                t = e["threshold"]
                out.append(
                    f"  Break-even: the programme pays for itself by preventing "
                    f"{e['break_even_admissions']:,.0f} emergency admissions (at "
                    f"£{t['admission_price']:,.0f} each); credited at the attribution "
                    f"fraction, the data would have to show a fall of "
                    f"{t['observed_fall_in_admissions_needed']:,.0f}."
                )
        out.append(
            f"  {'Resource':<46} {'before':>9} {'after':>9} {'expected':>9}  "
            "rate ratio (95% CI)  model"
        )
        for r in e["rate_ratios"]:
            money = r["unit"] == "£"
            ratio, model = ratio_text(r), model_text(r)
            out.append(
                f"  {r['title'][:46]:<46} "
                + "".join(f"{count_text(r.get(k), money):>9} " for k in ("before", "after"))
                + f"{count_text(r.get('expected'), money):>9}  "
                f"{ratio:<19}  {model}"
            )
        out.append(f"  {e['disclosure']}")
        out.append("")
    if items:
        out.append("Assumptions:")
        out += [f"  - {a}" for a in items[0]["assumptions"]]
    return "\n".join(out)
