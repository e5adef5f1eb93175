"""`python -m cp2desk.ui` starts the desktop app."""

import sys

from cp2desk.ui.app import run

sys.exit(run())
