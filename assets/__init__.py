"""Dagster assets (thin) and the set-based SQL beside them."""
