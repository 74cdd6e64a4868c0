"""The error the command line reports as one line, without a traceback."""


class CliError(Exception):
    """An error to report to the user as one line (``m4c: error: ...``)."""
