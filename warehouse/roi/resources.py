"""The resources the ROI prices, declared once in ``resources.toml``.

Each :class:`Resource` names the catalogue measure that counts it per home and month,
the unit cost that prices it, what an avoided unit releases (cash or capacity) and the
measures a change idea may name and still be aimed at it.

Examples
--------
>>> r = load_resources()
>>> r[0].id, r[0].measure, r[0].unit_cost
('emergency_admissions', 'S3', 'nel_mix')
>>> sorted({x.saving for x in r})
['capacity', 'cash', 'none']
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from warehouse.roi.unit_costs import SAVINGS

RESOURCES = resources.files("warehouse.roi").joinpath("resources.toml")
NEL_MIX, POUND = "nel_mix", "pound"  # admissions at the observed stay mix; counts in £
_KEYS = ("id", "title", "measure", "unit", "unit_cost", "saving", "targeted_by")


class ResourceError(ValueError):
    """A resources file that cannot be used, naming the file, the resource and the key."""


@dataclass(frozen=True)
class Resource:
    """One resource of the ROI.

    Attributes
    ----------
    id, title : str
        Identifier and the name a commissioner reads.
    measure : str
        The catalogue measure whose numerator counts it per home and month.
    unit : str
        What one unit is ("admissions", "£").
    unit_cost : str
        The unit-cost item pricing one unit, :data:`NEL_MIX` or :data:`POUND`.
    saving : str
        ``cash``, ``capacity`` or ``none`` (shown, not added to the savings).
    targeted_by : tuple of str
        Measures whose change ideas make a home no comparison home for this resource.
    """

    id: str
    title: str
    measure: str
    unit: str
    unit_cost: str
    saving: str
    targeted_by: tuple[str, ...]

    @property
    def in_pounds(self) -> bool:
        """Whether the count is already money (prescribing, ONS)."""
        return self.unit_cost == POUND


def load_resources(path: Path | Traversable | None = None) -> tuple[Resource, ...]:
    """The resources of ``path`` (default: the shipped ``resources.toml``), in file order.

    Raises
    ------
    ResourceError
        If a resource lacks a key, has an unknown one, repeats an id or names an unknown
        kind of saving.
    """
    source = RESOURCES if path is None else path
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    out: list[Resource] = []
    for i, entry in enumerate(data.get("resource", []), start=1):
        where = f"{source}: resource {i} ({entry.get('id', 'no id')})"
        missing = [k for k in _KEYS if k not in entry]
        extra = sorted(set(entry) - set(_KEYS))
        if missing or extra:
            raise ResourceError(
                f"{where}: missing {missing} / unknown {extra}; each resource has exactly "
                f"the keys {', '.join(_KEYS)}"
            )
        if entry["saving"] not in SAVINGS:
            raise ResourceError(
                f"{where}: saving = {entry['saving']!r}; use one of {', '.join(SAVINGS)}"
            )
        out.append(Resource(**{**entry, "targeted_by": tuple(entry["targeted_by"])}))
    ids = [r.id for r in out]
    if len(set(ids)) != len(ids) or not ids:
        raise ResourceError(f"{source}: resource ids must be unique and at least one: {ids}")
    return tuple(out)
