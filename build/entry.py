"""The bundle's entry point: the `cp2desk` command (opens the app when given no command).

PyInstaller freezes this script (see `cp2desk.spec`); it is the same as the installed
`cp2desk` console script.
"""

import sys

from cp2desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
