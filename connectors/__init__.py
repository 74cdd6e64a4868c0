"""Connectors: read the raw extracts of each source system into typed polars frames."""
