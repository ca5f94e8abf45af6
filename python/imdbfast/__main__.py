"""``python -m imdbfast``: the same as the ``imdbfast`` command."""

import sys

from imdbfast.cli import main

if __name__ == "__main__":
    sys.exit(main())
