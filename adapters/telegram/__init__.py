"""Telegram front end on python-telegram-bot: commands, inline keyboards, deep links, admin settings.

``adapters.telegram.bot.build_telegram_adapter(app)`` is what ``bot/`` starts when
``TELEGRAM_TOKEN`` is set.
"""

import os

# PTB 22 warns on every RetryAfter (and other durations) unless the app opts in to the
# timedelta values its next major version will use.  We read none of those values
# ourselves, so opting in changes nothing for us and keeps flood waits out of the logs.
os.environ.setdefault("PTB_TIMEDELTA", "1")
