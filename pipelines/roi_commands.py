"""``m4c roi``: the return on investment for commissioners, from the warehouse.

Prints what a commissioner reads: each intervention site's programme cost, costs
avoided, net benefit and ROI with their 95% intervals, the chance the ROI is above
zero, break-even, rate ratios and assumptions, small numbers suppressed; the comparison
site's placebo rate ratios; then the collaborative's. ``--site`` shows one site (by id
or name); ``--json`` prints one object per site and one for the collaborative.

Examples
--------
::

    m4c roi
    m4c roi --site Hillcrest --json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pipelines.errors import CliError
from warehouse.connection import connect
from warehouse.roi.report import text
from warehouse.roi.tables import RoiNotComputedError, read_summary
from warehouse.settings import load_settings


def add_parser(sub: Any) -> None:
    """Add ``m4c roi`` to the command line's sub-commands."""
    r = sub.add_parser("roi", help="return on investment per site, with intervals (after m4c run)")
    r.add_argument("--warehouse", help="DuckDB file (default: m4c.toml, data/warehouse.duckdb)")
    r.add_argument("--site", help="one site (its id, e.g. site_a, or its name)")
    r.add_argument("--json", action="store_true", help="print the ROI as JSON")
    r.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the ROI (``m4c roi``)."""
    path = load_settings().warehouse if args.warehouse is None else Path(args.warehouse)
    if not path.is_file():
        raise CliError(f"there is no warehouse at {str(path)!r}; run `m4c demo` or `m4c run`.")
    with connect(path, read_only=True) as con:
        try:
            items = read_summary(con, args.site)
        except RoiNotComputedError as e:
            raise CliError(str(e)) from e
        except KeyError as e:
            raise CliError(e.args[0]) from e
    if args.json:
        print(json.dumps(items, indent=2))
    else:
        print(text(items))
    return 0
