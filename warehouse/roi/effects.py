"""Rate ratios of resource use, before and after a programme starts, with their intervals.

Each estimate is a generalised linear model of a home's monthly count with the log of
its occupied bed days as the offset (statsmodels), and standard errors robust to the
clustering of months within homes. Poisson is fitted first; the Cameron and Trivedi
(1990) regression test of over-dispersion then chooses a negative binomial (NB2, its
alpha from the same auxiliary regression) where the variance outgrows the mean.
Counts in pounds (prescribing, ONS) keep the Poisson quasi-likelihood: the test is about
counts of events, and a log-link mean model of costs needs no distribution.

* The *uncontrolled* ratio compares the treated homes' rate after the start with before
  (``count ~ post``).
* The *controlled* ratio is the difference in differences, the ``treated x post``
  interaction of ``count ~ treated + post + treated x post``: the change at the treated
  homes over and above the change at the comparison homes over the same months. Where
  several sites are pooled (the collaborative), each site's analysis keeps its own
  intercept, treated and post terms (a stacked difference in differences, Cengiz et al.
  2019) and shares the interaction.

The 95% interval uses a t distribution with G - 1 degrees of freedom, G the number of
homes (clusters), as Cameron and Miller (2015) advise for few clusters.

Examples
--------
>>> rng = np.random.default_rng(1)
>>> n = 40 * 12
>>> homes = np.repeat(np.arange(40), 12)
>>> treated, post = homes < 20, np.tile(np.arange(12) >= 6, 40)
>>> exposure = np.full(n, 1000.0)
>>> mu = exposure * 0.01 * np.where(treated & post, 0.5, 1.0)
>>> rows = pl.DataFrame({"analysis": "a", "home_id": homes.astype(str),
...     "arm": np.where(treated, "treated", "comparison"), "post": post,
...     "count": rng.poisson(mu).astype(float), "exposure": exposure})
>>> rr = rate_ratio(rows, controlled=True)
>>> round(rr.estimate, 1), rr.lower < 0.5 < rr.upper, rr.model
(0.5, True, 'Poisson')
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from warehouse.roi.design import COLLABORATIVE, TREATED
from warehouse.roi.resources import Resource

ALPHA = 0.05
RATE_RATIO_SCHEMA = {
    "analysis": pl.String,
    "resource": pl.String,
    "estimate": pl.Float64,
    "lower": pl.Float64,
    "upper": pl.Float64,
    "controlled": pl.Boolean,
    "model": pl.String,
    "dispersion": pl.Float64,
    "dispersion_p": pl.Float64,
    "alpha": pl.Float64,
    "homes_treated": pl.Int64,
    "homes_comparison": pl.Int64,
    "note": pl.String,
}
POISSON, NEGBIN, QUASI = "Poisson", "negative binomial", "Poisson quasi-likelihood"


@dataclass(frozen=True)
class RateRatio:
    """One rate ratio and how it was estimated.

    Attributes
    ----------
    estimate, lower, upper : float or None
        The ratio and its 95% interval (None where it cannot be estimated: ``note``).
    controlled : bool
        Difference in differences against comparison homes (True) or before/after only.
    model : str
        ``Poisson``, ``negative binomial`` or ``Poisson quasi-likelihood`` (costs).
    dispersion : float or None
        The over-dispersion test's t statistic (Cameron and Trivedi 1990).
    dispersion_p : float or None
        Its one-sided p value; below 0.05 chooses the negative binomial.
    alpha : float or None
        The negative binomial's alpha (variance = mu + alpha mu^2).
    homes_treated, homes_comparison : int
        Clusters in each arm.
    note : str
        Why there is no estimate, or an empty string.
    """

    estimate: float | None
    lower: float | None
    upper: float | None
    controlled: bool
    model: str
    dispersion: float | None
    dispersion_p: float | None
    alpha: float | None
    homes_treated: int
    homes_comparison: int
    note: str = ""

    def covers(self, value: float) -> bool:
        """Whether the interval contains ``value``."""
        return self.lower is not None and self.lower <= value <= self.upper


def dispersion_test(y: np.ndarray, mu: np.ndarray) -> tuple[float, float, float]:
    """Cameron and Trivedi's test of Poisson against NB2: (alpha, t statistic, p value).

    Regresses ((y - mu)^2 - y) / mu on mu without a constant; the slope estimates alpha
    of Var(y) = mu + alpha mu^2 (Cameron & Trivedi 1990, J Econometrics 46:347, eq. 9).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> mu = np.full(2000, 5.0)
    >>> round(dispersion_test(rng.poisson(mu), mu)[2], 2) > 0.05
    True
    >>> y = rng.negative_binomial(2, 2 / (2 + mu))  # alpha = 0.5
    >>> 0.3 < dispersion_test(y, mu)[0] < 0.7
    True
    """
    z = ((y - mu) ** 2 - y) / mu  # Cameron & Trivedi (1990) auxiliary regression
    fit = sm.OLS(z, mu).fit()
    alpha, t = float(fit.params[0]), float(fit.tvalues[0])
    return alpha, t, float(stats.t.sf(t, fit.df_resid))


def _design(rows: pl.DataFrame, controlled: bool) -> tuple[np.ndarray, list[str]]:
    """Columns of the model matrix; the last is the effect (post, or treated x post)."""
    treated = (rows["arm"] == TREATED).to_numpy().astype(float)
    post = rows["post"].to_numpy().astype(float)
    if not controlled:
        return np.column_stack([np.ones(rows.height), post]), ["const", "post"]
    stack = rows["analysis"].to_numpy()
    cols, names = [], []
    for s in np.unique(stack):  # a stack's own intercept, treated and post terms
        own = (stack == s).astype(float)
        cols += [own, own * treated, own * post]
        names += [f"{s}:const", f"{s}:treated", f"{s}:post"]
    cols.append(treated * post)
    names.append("treated:post")
    return np.column_stack(cols), names


def _cluster_fit(y, x, offset, groups, family):
    model = sm.GLM(y, x, family=family, offset=offset)
    with warnings.catch_warnings():
        # a cell fitted exactly (the same £ every month) is no failure here: cells with no
        # events are refused before fitting
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups})


def rate_ratio(rows: pl.DataFrame, *, controlled: bool, costs: bool = False) -> RateRatio:
    """The rate ratio of one analysis and resource, from its home-month rows.

    Parameters
    ----------
    rows : polars.DataFrame
        :func:`warehouse.roi.design.analysis_rows` of one resource (and one analysis,
        or the stacked analyses of several sites): analysis, home_id, arm, post, count,
        exposure.
    controlled : bool
        Difference in differences (True) or the treated homes' before/after (False).
    costs : bool
        Counts are pounds: the Poisson quasi-likelihood, no dispersion test.
    """
    if not controlled:
        rows = rows.filter(pl.col("arm") == TREATED)
    treated = rows.filter(pl.col("arm") == TREATED)["home_id"].n_unique()
    comparison = rows.filter(pl.col("arm") != TREATED)["home_id"].n_unique()

    def none(note: str) -> RateRatio:
        return RateRatio(
            None, None, None, controlled, "", None, None, None, treated, comparison, note
        )

    cells = rows.group_by(
        (pl.col("arm") == TREATED).alias("t"), "post", *(["analysis"] if controlled else [])
    ).agg(pl.col("count").sum())
    need = 4 if controlled else 2
    if treated == 0:
        return none("not recorded at this site")
    if controlled and comparison == 0:
        return none("no comparison homes")
    if cells.filter(pl.col("count") > 0).height < need * (
        rows["analysis"].n_unique() if controlled else 1
    ):
        return none("too few events: a before or after count of zero")
    if rows["home_id"].n_unique() < 2:
        return none("one home only: its interval needs two or more homes")
    x, _ = _design(rows, controlled)
    y = rows["count"].to_numpy().astype(float)
    offset = np.log(rows["exposure"].to_numpy().astype(float))
    groups = pl.Series(rows["home_id"]).rank("dense").to_numpy().astype(int)
    g = int(groups.max())
    fit = _cluster_fit(y, x, offset, groups, sm.families.Poisson())
    model, alpha, t_stat, p = (QUASI if costs else POISSON), None, None, None
    if not costs:
        alpha, t_stat, p = dispersion_test(y, fit.mu)
        if p < ALPHA and alpha > 0:
            model = NEGBIN
            fit = _cluster_fit(y, x, offset, groups, sm.families.NegativeBinomial(alpha=alpha))
        else:
            alpha = None
    b, se = float(fit.params[-1]), float(fit.bse[-1])
    q = stats.t.ppf(1 - ALPHA / 2, max(g - 1, 1))  # t with G - 1 df (Cameron & Miller 2015)
    return RateRatio(
        estimate=float(np.exp(b)),
        lower=float(np.exp(b - q * se)),
        upper=float(np.exp(b + q * se)),
        controlled=controlled,
        model=model,
        dispersion=t_stat,
        dispersion_p=p,
        alpha=alpha,
        homes_treated=treated,
        homes_comparison=comparison,
    )


def rate_ratio_table(
    rows: pl.DataFrame, resources: Sequence[Resource], starts: pl.DataFrame
) -> pl.DataFrame:
    """Controlled and uncontrolled rate ratios per analysis and resource, and pooled.

    ``rows`` are :func:`warehouse.roi.design.analysis_rows`; ``starts`` name the
    analyses and their roles. The collaborative's row pools the intervention sites'
    analyses (stacked). One row per analysis, resource and kind: the fields of
    :class:`RateRatio`.
    """
    out = []
    programme = starts.filter(pl.col("role") == "intervention")["analysis"].to_list()
    groups = [(a, [a]) for a in starts["analysis"].to_list()]
    if programme:
        groups.append((COLLABORATIVE, programme))
    for r in resources:
        of_r = rows.filter(pl.col("resource") == r.id)
        recorded = set(of_r.filter(pl.col("arm") == TREATED)["analysis"])
        compared = set(of_r.filter(pl.col("arm") != TREATED)["analysis"])
        for name, members in groups:
            for controlled in (True, False):
                keep = recorded & compared if controlled else recorded
                # the collaborative pools the sites that record the resource (and compare it)
                used = [m for m in members if m in keep] if name == COLLABORATIVE else members
                sub = of_r.filter(pl.col("analysis").is_in(used))
                rr = (
                    rate_ratio(sub, controlled=controlled, costs=r.in_pounds)
                    if sub.height
                    else RateRatio(
                        None, None, None, controlled, "", None, None, None, 0, 0, "no data"
                    )
                )
                out.append({"analysis": name, "resource": r.id, **rr.__dict__})
    return pl.DataFrame(out, schema=RATE_RATIO_SCHEMA)
