"""Data-quality gates: rules as data, measured in DuckDB, judged by Great Expectations.

* :mod:`expectations.rules`: the rules and their thresholds (``rules.csv``);
* :mod:`expectations.measure`: rows and failing rows per site, home and month, in SQL;
* :mod:`expectations.suites`: the Great Expectations suite that judges the counts;
* :mod:`expectations.validate`: a run, kept in the warehouse as ``dq_results``.
"""
