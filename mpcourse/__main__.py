"""``python -m mpcourse``: the command line of :mod:`mpcourse.cli`."""

import sys

from mpcourse.cli import main

if __name__ == "__main__":
    sys.exit(main())
