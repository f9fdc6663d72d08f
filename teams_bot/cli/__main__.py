"""`python -m teams_bot.cli`."""

import sys

from .main import main

sys.exit(main())
