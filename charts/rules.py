"""Named, versioned rule sets and the constants behind them.

A chart's verdict depends on which rules it applies, and the "same" rules differ
between tools (shift 6, 7 or 8; screened moving ranges or not). Every result
therefore records the rule set it used, by name and version, and every number a
rule depends on lives here, as data, with its source.

Three rule sets exist:

``anhoej``
    qicharts2's run-chart rules (unusually long runs, unusually few crossings),
    with Shewhart's 3-sigma rule on control charts.
``ihi``
    The IHI run-chart rules of Perla, Provost & Murray (2011): shift, trend, too
    few or too many runs, and an astronomical point.
``mdc``
    NHS England "Making Data Count" as NHSRplotthedots 0.2.2 implements it:
    a point outside the limits, a 7-point shift, a 7-point trend, two of three
    points close to a limit. ``mdc6`` is the 6-point option of the MDC Excel tool.

Examples
--------
>>> get_rule_set("mdc").shift
7
>>> get_rule_set("mdc6").version
'ptd-0.2.2+excel6'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from charts.errors import SpcInputError

# Constants of the limit formulas, each as its reference spells it.
D2 = 1.128  # d2(2): mean moving range / sigma; qicharts2 qic.i(), Montgomery 6.33
D4 = 3.267  # D4(2): upper limit of a moving range; Nelson 1982 screening threshold
IP_SCREEN = 3.2665  # qicharts2 qic.ip() screening threshold for I' (Laney-type) charts
MDC_LIMIT = 2.66  # NHSRplotthedots ptd_spc_standard(): rounded 3/d2, used by MDC
MDC_CLOSE = 2 * (MDC_LIMIT / 3)  # 2-sigma line of MDC charts ("close to the limits")
T_EXPONENT = 3.6  # Nelson 1994: y^(1/3.6) makes Weibull times between events ~normal
SQRT_HALF_PI = 1.2533141373155002  # sqrt(pi/2); qicharts2 qic.ip()

# Perla, Provost & Murray (2011), Table 1, as widely reproduced (n = 10..40): number of
# useful observations -> (lower, upper) limits on the number of runs. Fewer runs than
# the lower limit, or more than the upper, is a signal. See docs/deviations.md.
PERLA_2011_RUNS = {
    10: (3, 9),
    11: (3, 10),
    12: (3, 11),
    13: (4, 11),
    14: (4, 12),
    15: (5, 12),
    16: (5, 13),
    17: (5, 13),
    18: (6, 14),
    19: (6, 15),
    20: (6, 16),
    21: (7, 16),
    22: (7, 17),
    23: (7, 17),
    24: (8, 18),
    25: (8, 18),
    26: (9, 19),
    27: (9, 20),
    28: (10, 20),
    29: (10, 21),
    30: (11, 22),
    31: (11, 22),
    32: (11, 23),
    33: (11, 24),
    34: (12, 24),
    35: (12, 25),
    36: (13, 25),
    37: (13, 26),
    38: (14, 26),
    39: (14, 27),
    40: (15, 27),
}


@dataclass(frozen=True)
class RuleSet:
    """A named, versioned set of rules for detecting non-random variation.

    Parameters
    ----------
    name : str
        Short name used in code and on charts ("anhoej", "ihi", "mdc").
    version : str
        Version of the rules; changes whenever a threshold or table changes.
    label : str
        How the chart names its rules to a reader.
    source : str
        Where the rules come from.
    rules : tuple of (str, str)
        Each rule's id and a plain-language statement of it.
    shift : int or None
        Points in a row on one side of the centre line that make a shift
        (None: Anhøj's sample-size dependent limit).
    trend : int or None
        Points in a row going up or down that make a trend (None: no trend rule).
    min_points : int
        Fewer points than this in a baseline give trial limits and a warning.
    runs_table : dict
        Lower and upper limits of the number of runs, by useful observations (IHI).
    """

    name: str
    version: str
    label: str
    source: str
    rules: tuple[tuple[str, str], ...]
    shift: int | None = None
    trend: int | None = None
    min_points: int = 12
    runs_table: dict[int, tuple[int, int]] = field(default_factory=dict, compare=False)


ANHOEJ = RuleSet(
    name="anhoej",
    version="qicharts2-0.8.1",
    label="Anhøj run rules with 3-sigma limits (qicharts2 0.8.1)",
    source=(
        "Anhøj & Olesen, PLoS ONE 2014; Anhøj 2015; qicharts2 0.8.1 runs.analysis(); "
        "Schilling 2012 (longest run); Chen 2010 (crossings)"
    ),
    rules=(
        (
            "longest_run",
            "An unusually long run: more points in a row on one side of the centre line "
            "than chance would give.",
        ),
        (
            "crossings",
            "Too few crossings: the line crosses the centre line less often than chance "
            "would give.",
        ),
        ("sigma", "A point outside the control limits (3 sigma)."),
    ),
    min_points=12,
)

IHI = RuleSet(
    name="ihi",
    version="perla2011-table1.v1",
    label="IHI run chart rules (Perla, Provost & Murray 2011)",
    source=(
        "Perla, Provost & Murray, BMJ Qual Saf 2011;20:46-51, Table 1 (n = 10..40); "
        "normal approximation to Swed & Eisenhart beyond 40"
    ),
    rules=(
        ("shift", "A shift: 6 or more points in a row above, or below, the median."),
        ("trend", "A trend: 5 or more points in a row all going up, or all going down."),
        ("runs", "Too few or too many runs for the number of points."),
        (
            "astronomical",
            "An astronomical point: a value far outside the rest (beyond 3 sigma).",
        ),
    ),
    shift=6,
    trend=5,
    min_points=10,
    runs_table=PERLA_2011_RUNS,
)

MDC = RuleSet(
    name="mdc",
    version="ptd-0.2.2",
    label="NHS Making Data Count rules (NHSRplotthedots 0.2.2)",
    source=(
        "NHS England Making Data Count; NHSRplotthedots 0.2.2 ptd_spc(), ptd_calculate_point_type()"
    ),
    rules=(
        ("outside_limits", "A point outside the process limits."),
        ("shift", "A shift: 7 points in a row above, or below, the average."),
        ("trend", "A trend: 7 points in a row all going up, or all going down."),
        (
            "two_in_three",
            "Two out of three points in a row close to a process limit, on the same side.",
        ),
    ),
    shift=7,
    trend=7,
    min_points=13,
)

MDC6 = replace(
    MDC,
    name="mdc6",
    version="ptd-0.2.2+excel6",
    label="NHS Making Data Count rules, 6-point shift and trend (MDC Excel option)",
    source="NHS England Making Data Count Excel tool (6-point option); NHSRplotthedots #202",
    rules=(
        MDC.rules[0],
        ("shift", "A shift: 6 points in a row above, or below, the average."),
        ("trend", "A trend: 6 points in a row all going up, or all going down."),
        MDC.rules[3],
    ),
    shift=6,
    trend=6,
)

RULE_SETS: dict[str, RuleSet] = {r.name: r for r in (ANHOEJ, IHI, MDC, MDC6)}


def get_rule_set(rules: str | RuleSet) -> RuleSet:
    """Return the rule set called ``rules`` (or ``rules`` itself if it is one).

    Parameters
    ----------
    rules : str or RuleSet
        A name from ``RULE_SETS`` or a ``RuleSet``.

    Returns
    -------
    RuleSet

    Examples
    --------
    >>> get_rule_set("ihi").shift, get_rule_set("ihi").trend
    (6, 5)
    """
    if isinstance(rules, RuleSet):
        return rules
    try:
        return RULE_SETS[rules]
    except KeyError:
        known = ", ".join(sorted(RULE_SETS))
        raise SpcInputError(
            f"rules: there is no rule set called {rules!r}. Known rule sets: {known}."
        ) from None
