"""`python -m officegym.cli`: the same as the `officegym` command."""

import sys

from officegym.cli import main

sys.exit(main())
