"""``python -m sharedpurpose.spc``: the ``sharedpurpose spc`` command."""

import sys

from .cli import main

sys.exit(main())
