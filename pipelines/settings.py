"""Where the warehouse lives and where the pseudonymisation key comes from.

Examples
--------
>>> DEFAULT_WAREHOUSE.name
'warehouse.duckdb'
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WAREHOUSE = ROOT / "data" / "warehouse.duckdb"
KEY_VARIABLE = "M4C_PSEUDO_KEY"


def warehouse_path() -> Path:
    """The warehouse: ``$M4C_WAREHOUSE`` or ``data/warehouse.duckdb``."""
    return Path(os.environ.get("M4C_WAREHOUSE", DEFAULT_WAREHOUSE))


def pseudo_key(warehouse: Path) -> bytes:
    """The HMAC key for pseudonyms: ``$M4C_PSEUDO_KEY``, or a local demo key with a warning.

    A real deployment holds the key outside the analysis environment (the data
    controller's). Without it, a random key is made once and kept beside the
    warehouse, so that reloading links the same people; it suits synthetic data only.
    """
    value = os.environ.get(KEY_VARIABLE)
    if value:
        return value.encode()
    local = warehouse.with_name(warehouse.name + ".demo-key")
    if not local.exists():
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(secrets.token_hex(32))
        local.chmod(0o600)
    print(
        f"m4c: warning: {KEY_VARIABLE} is not set, so NHS numbers are pseudonymised with a "
        f"demo key kept in {local}. Set {KEY_VARIABLE} (held by the data controller) before "
        "loading real data.",
        file=sys.stderr,
    )
    return local.read_text().strip().encode()
