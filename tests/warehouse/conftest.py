"""Fixtures of the warehouse tests."""

import contextlib

import pytest

from warehouse.connection import connect


@pytest.fixture
def open_warehouse():
    """A function opening a warehouse file; every one opened is closed after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda path: stack.enter_context(connect(path))
