"""The Discord front end: slash commands, buttons and modals on discord.py.

``bot.build_discord_adapter(app)`` is the entry point ``bot/platforms.py`` uses when
``DISCORD_TOKEN`` is set.  The modules are small on purpose:

* ``bot``: the adapter (runner protocol) and the API redirect (``DISCORD_API_URL``);
* ``client``: the ``AutoShardedBot`` subclass, command sync and listeners;
* ``commands``: ``/playlist``, ``/refine``, ``/link``, ``/unlink``, ``/profile``,
  ``/limits``, ``/status``;
* ``admin``: ``/admin limits`` and ``/admin spotify-app``;
* ``views``: the persistent playlist buttons and the refine modal;
* ``interact``: what every handler shares (errors, progress, delivery, DMs);
* ``render``: embeds within Discord's size limits, with markdown and mentions escaped.
"""
