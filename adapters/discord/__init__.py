"""The Discord front end: slash commands, buttons and modals on discord.py.

``bot/discord_wiring.py`` builds it (``build_discord_adapter(app)``) when
``DISCORD_TOKEN`` is set; nothing here imports ``bot.*``.  Every input becomes one
verb of ``core.actions``; the reply is rendered here.  The modules:

* ``adapter``: the adapter (runner protocol), its ``DiscordConfig`` and the API
  redirect (``DISCORD_API_URL``);
* ``client``: the ``AutoShardedBot`` subclass, command sync and the error hook;
* ``commands``: the cog of ``/playlist``, ``/refine``, ``/link``, ``/unlink``,
  ``/save``, ``/taste``, ``/profile``, ``/limits``, ``/status``;
* ``admin``: the ``/admin`` group (``limits``, ``spotify-app``) with its run-time check;
* ``views``: replies as messages with their components, the persistent playlist
  buttons and the refine modal;
* ``services``: what the handlers need (built in ``bot/``) and who is asking;
* ``answer``: the replies to one interaction (deferring, progress edits, fallbacks);
* ``interact``: what every handler shares (its session, DMs, the one error hook
  ``on_failure``);
* ``render``: the reply union as embeds within Discord's size limits, with markdown
  and mentions escaped.
"""
