"""The Dagster code location and the m4c command line."""
