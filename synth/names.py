"""Names for the synthetic sites and homes: plausible, unique, and from a stream of their own.

A home's name is built from small word lists: a first part (a tree, a flower or a
place word, alone or with an ending, "Oak", "Oakfield", "Elmhurst"; or a saint, "St
Anne's") and a building ("House", "Court", "Lodge"...), sometimes with the kind of
home ("Willow Lodge Nursing Home", "Rosedale Care Home"). Every first part is used
once before any is used twice, and no two homes of a set share a name. Roughly a third
to two fifths of the homes are nursing homes, more often the larger ones; the rest are
residential. Sites get area names ("North Wolds", "Riverside").

Everything here draws from the ``names`` stream only (:func:`synth.world.streams`), so
names and types change no other simulated value.

Examples
--------
>>> from synth.world import draw_homes
>>> homes = draw_homes(np.random.default_rng(0), sites=2, homes=3, quirk_rate=0.02)
>>> register = draw_register(np.random.default_rng(1), homes)
>>> [(s.site_id, len(s.homes)) for s in register]
[('site_a', 2), ('site_b', 1)]
>>> all(h.type in HOME_TYPES for s in register for h in s.homes)
True
"""

from __future__ import annotations

import numpy as np

from synth.world import HomeTable, site_id_of
from warehouse.settings import HOME_TYPES, Home, Site

# Area names for sites (at least 26: site_a to site_z), made up, not council names.
SITE_NAMES = (
    "North Wolds", "Riverside", "Southdown", "East Vale", "Westmoor", "Millbrook",
    "Highfield", "Greenvale", "Stonebridge", "Ashdale", "Harbourside", "Kingsmead",
    "Marshside", "Hillcrest", "Northgate", "Heathland", "Brookvale", "Castlegate",
    "Downland", "Lakeside", "Moorland", "Saltmarsh", "Upper Valley", "Old Town", "Fenside",
    "Coastal", "Central", "Two Rivers", "Westfield", "Oakvale",
)  # fmt: skip
HOME_STEMS = (
    "Oak", "Elm", "Ash", "Beech", "Birch", "Holly", "Hazel", "Willow", "Rowan", "Cedar",
    "Maple", "Laurel", "Rose", "Fern", "Heather", "Lark", "Meadow", "Brook", "Mill",
    "Church", "Green", "Thorn", "Glen", "Bramble",
)  # fmt: skip
HOME_ENDINGS = ("", "field", "wood", "lands", "bank", "dale", "mead", "lea", "croft", "hurst",
                "side")  # fmt: skip
SAINTS = (
    "St Anne's", "St Mary's", "St Joseph's", "St Cecilia's", "St Michael's", "St George's",
    "St Catherine's", "St Luke's", "St Martin's", "St Margaret's", "St Hilda's", "St Aidan's",
)  # fmt: skip
AWKWARD = frozenset({"Hollywood"})  # first parts the lists make that no home would take
BUILDINGS = ("House", "Court", "Lodge", "Grange", "Manor", "Hall", "View", "Gardens", "Park",
             "Place")  # fmt: skip
NURSING, RESIDENTIAL = HOME_TYPES
KIND_WORDS = {NURSING: "Nursing Home", RESIDENTIAL: "Care Home"}
# Shares of names that end with the kind instead of the building ("Oakfield Nursing
# Home"), and after it ("Willow Lodge Nursing Home"), by kind.
KIND_INSTEAD = {NURSING: 0.30, RESIDENTIAL: 0.15}
KIND_AFTER = {NURSING: 0.15, RESIDENTIAL: 0.10}


def first_parts() -> tuple[np.ndarray, np.ndarray]:
    """Every first part of a home's name, and whether it is a saint's.

    Examples
    --------
    >>> parts, saint = first_parts()
    >>> parts[:3].tolist(), parts.size, int(saint.sum())
    (['Oak', 'Oakfield', 'Oakwood'], 261, 12)
    """
    compounds = [
        stem + ending
        for stem in HOME_STEMS
        for ending in HOME_ENDINGS
        if not ending  # and not "Milllands", "Beechhurst", "Meadowmead", "Hollywood"
        or (stem[-1] != ending[0] and ending not in stem.lower() and stem + ending not in AWKWARD)
    ]
    parts = np.array([*compounds, *SAINTS])
    saint = np.arange(parts.size) >= len(compounds)
    return parts, saint


def home_types(rng: np.random.Generator, beds: np.ndarray) -> np.ndarray:
    """``nursing`` or ``residential`` for each home; the larger, the likelier nursing.

    One home in ten is a nursing home at 20 beds, seven in ten at 50. A set of two
    homes or more has at least one of each.

    Examples
    --------
    >>> home_types(np.random.default_rng(2), np.array([20, 50, 35])).tolist()
    ['residential', 'nursing', 'residential']
    """
    chance = np.clip(0.1 + 0.6 * (np.asarray(beds) - 20) / 30, 0.05, 0.95)
    nursing = rng.random(chance.size) < chance
    if nursing.size >= 2 and nursing.all():
        nursing[np.argmin(beds)] = False
    if nursing.size >= 2 and not nursing.any():
        nursing[np.argmax(beds)] = True
    return np.where(nursing, NURSING, RESIDENTIAL)


def home_names(rng: np.random.Generator, types: np.ndarray) -> list[str]:
    """A unique name for each home, some naming its type (``nursing`` or ``residential``).

    Examples
    --------
    >>> home_names(np.random.default_rng(3), np.array(["nursing", "residential", "nursing"]))
    ['Church Gardens', 'Maplebank View', 'Bramblefield Nursing Home']
    >>> len(set(home_names(np.random.default_rng(3), np.array(["residential"] * 3000))))
    3000
    """
    n = np.asarray(types).size
    parts, saint = first_parts()
    order = rng.permutation(parts.size)  # which first part comes when
    # each first part's buildings, in the order it takes them
    buildings = np.argsort(rng.random((parts.size, len(BUILDINGS))), axis=1)
    rounds, j = np.divmod(np.arange(n), parts.size)  # each first part once a round
    part = order[j]
    first = parts[part]
    building = np.array(BUILDINGS)[buildings[part, rounds % len(BUILDINGS)]]
    base = np.where(
        saint[part] & (rounds == 0), first, np.char.add(np.char.add(first, " "), building)
    )
    again = rounds // len(BUILDINGS)  # every first part with every building: number them
    base = np.where(again > 0, np.char.add(base, np.char.add(" ", (again + 1).astype(str))), base)
    nursing = np.asarray(types) == NURSING
    word = np.where(nursing, KIND_WORDS[NURSING], KIND_WORDS[RESIDENTIAL])
    instead = np.where(nursing, KIND_INSTEAD[NURSING], KIND_INSTEAD[RESIDENTIAL])
    after = instead + np.where(nursing, KIND_AFTER[NURSING], KIND_AFTER[RESIDENTIAL])
    u = rng.random(n)
    named = np.where(
        u < instead,
        np.char.add(np.char.add(first, " "), word),
        np.where(u < after, np.char.add(np.char.add(base, " "), word), base),
    )
    # A first part used in two rounds may name its type twice: the second keeps its base.
    _, first_seen = np.unique(named, return_index=True)
    repeated = np.ones(n, dtype=bool)
    repeated[first_seen] = False
    return np.where(repeated, base, named).tolist()


def site_names(rng: np.random.Generator, sites: int) -> list[str]:
    """An area name for each site, all different.

    Examples
    --------
    >>> names = site_names(np.random.default_rng(0), 26)
    >>> len(set(names)), all(n in SITE_NAMES for n in names)
    (26, True)
    """
    return np.array(SITE_NAMES)[rng.permutation(len(SITE_NAMES))[:sites]].tolist()


def draw_register(rng: np.random.Generator, homes: HomeTable) -> tuple[Site, ...]:
    """The sites and their homes, named and typed, with the beds already simulated.

    ``rng`` must be the ``names`` stream: drawing from any other would change the
    simulated world.
    """
    sites = int(homes.site.max()) + 1
    area = site_names(rng, sites)
    types = home_types(rng, homes.beds)
    names = home_names(rng, types)
    return tuple(
        Site(
            site_id_of(s),
            area[s],
            tuple(
                Home(homes.home_id[h], names[h], str(types[h]), int(homes.beds[h]))
                for h in np.flatnonzero(homes.site == s)
            ),
        )
        for s in range(sites)
    )
