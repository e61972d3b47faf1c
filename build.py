#!/usr/bin/env python3
"""ksm-site: python build.py [command] [options]; see README.md."""
import sys

from ksm_site.commands.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
