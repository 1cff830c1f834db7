"""``python -m crawler.snapshot``: serve a recorded snapshot folder in the mirror convention."""

import sys

from crawler.snapshot.server import main

sys.exit(main())
