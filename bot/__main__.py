"""``python -m bot``: the same CLI as the ``echotuner`` console script."""

import sys

from bot.cli import main

sys.exit(main())
