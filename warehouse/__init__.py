"""The warehouse: where the project's data lives and how extracts get into it.

* :mod:`warehouse.settings`: the settings file (``m4c.toml``): paths, sites and homes;
* :mod:`warehouse.connection`: opening the DuckDB file, and transactions;
* :mod:`warehouse.landing`: extracts into raw tables, quarantine and the load log;
* :mod:`warehouse.tables` and :mod:`warehouse.staging`: the staged canonical model;
* :mod:`warehouse.measures`: the measures' values, gated by data quality.

None of it imports Dagster: the thin assets in ``assets/`` call it.
"""
