"""Tests of the exports: spreadsheets, ROI tables, PNGs and decks."""
