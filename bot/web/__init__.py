"""The web page of each group's decisions, opened by a private link (``weblink``).

``page`` draws it (no I/O); ``server`` serves it with aiohttp, read-only, from the
bot's own process, started and stopped by ``run`` when ``[web]`` is configured.
"""
