"""Writing the record to disk for the bot's own user only.

Exports, Easy Read pages and calendar files hold a care team's words, so a file
is made readable and writable by its owner only (0600) and a folder made for it
is opened to its owner only (0700), whatever the umask. A folder that exists
already is left as its owner set it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> None:
    """Make ``folder`` and any missing parents, each owner-only."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing.append(path)
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by someone else
            path.mkdir(mode=FOLDER_MODE)
            path.chmod(FOLDER_MODE)  # the umask may have taken bits away; none added


def write_private(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` (UTF-8), owner-only, whole or not at all.

    Written beside it first and then put in its place, so a file that was there
    (perhaps readable by others) is replaced by a new, owner-only one."""
    temporary = path.with_name(f".{path.name}.writing")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(content)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
