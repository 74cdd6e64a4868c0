"""Measure for Change: the SPC engine, pure polars and numpy (no Dagster, no DuckDB)."""
