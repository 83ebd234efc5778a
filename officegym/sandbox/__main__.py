"""`python -m officegym.sandbox --socket PATH`: the env server of a sandbox container."""

import sys

from officegym.sandbox._server import main

sys.exit(main())
