"""Return on investment for commissioners (docs/roi.md)."""
