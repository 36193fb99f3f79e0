"""``python -m bot`` is the same as ``deciding-together``."""

import sys

from bot.cli import main

sys.exit(main())
