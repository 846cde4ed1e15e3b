# SPDX-License-Identifier: MIT
"""``python -m rhrt`` runs the command line."""

import sys

from rhrt.cli import main

sys.exit(main())
