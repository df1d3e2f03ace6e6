"""The one exception type users of the library need to catch."""


class ColorizerError(Exception):
    """A clear, user-facing failure: bad input file, bad checkpoint, bad argument.

    Messages are written for the person who supplied the input, and name the file where there is one.
    """
