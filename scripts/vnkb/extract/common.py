"""What every reader shares."""


class ExtractError(Exception):
    """A file that cannot be read; the message is the build report's reason."""
