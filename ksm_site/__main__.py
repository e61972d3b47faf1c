import sys

from .commands.cli import main

sys.exit(main(sys.argv[1:]))
