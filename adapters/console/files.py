"""The files the demo "sends" (Easy Read pages, calendar files, exports, my data),
written into a folder so a newcomer can open them.

They may hold what people wrote, so they are readable by their owner only
(files 0600, a folder made here 0700), whatever the umask. A file is written
beside its final name and then moved over it, so a link planted under that name
is replaced, never followed.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FOLDER = "demo-files"  # beside the demo's database, unless --files names another


def keep(folder: Path, filename: str, content: str) -> Path:
    """Write ``content`` as ``filename`` in ``folder``; returns the file's path."""
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True)
        os.chmod(folder, 0o700)  # mkdir's mode is cut by the umask
    path = folder / _safe_name(filename)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # the umask may have taken bits away, never added
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            descriptor = -1
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        if descriptor >= 0:
            os.close(descriptor)
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    return path


def _safe_name(filename: str) -> str:
    """The file's own name, never a path elsewhere: "../x" is "x"."""
    name = Path(filename.replace("\\", "/")).name.replace("\x00", "")
    return name if name not in ("", ".", "..") else "file"
