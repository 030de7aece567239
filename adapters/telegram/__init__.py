"""Telegram front end on python-telegram-bot: commands, inline keyboards, deep links, admin settings.

``adapter.TelegramAdapter`` is the chat adapter; ``bot/telegram_wiring.py`` builds it
when ``TELEGRAM_TOKEN`` is set.  Handlers are split by concern (``commands``,
``linking``, ``group_settings``, ``buttons``, ``messages``) over one shared ``Chat``
context, and every input goes through ``core.actions``.
"""

import os

# PTB 22 warns on every RetryAfter (and other durations) unless the app opts in to the
# timedelta values its next major version will use.  We read none of those values
# ourselves, so opting in changes nothing for us and keeps flood waits out of the logs.
os.environ.setdefault("PTB_TIMEDELTA", "1")
