"""Folders and files only the signed-in user can open: the agent's home holds patients' names and phones.

On Linux and macOS every folder the agent makes is 0700 and every file 0600, whatever the umask: each is
created with that mode and set to it again (``os.open``/``mkdir`` honour the umask, ``chmod`` does not), and
``make_tree_private`` fixes what an older version or another program left readable. On Windows the
folders live in the user's own profile, which only that user (and administrators) can open, so there is
nothing to change there.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
POSIX_MODES = os.name == "posix"
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation in what we write


def make_private_dir(folder: Path) -> Path:
    """Create ``folder`` (and missing parents) and make it 0700. Parents that already existed are left alone."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if POSIX_MODES:
        for created in missing:
            with contextlib.suppress(FileNotFoundError):
                created.chmod(DIR_MODE)
        folder.chmod(DIR_MODE)
    return folder


def make_private_file(path: Path) -> Path:
    """Create ``path`` empty if it is missing, and make it 0600 (its folder 0700)."""
    make_private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        if POSIX_MODES:
            os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return path


def write_private_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data``, 0600 from its first byte."""
    make_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, FILE_MODE)
    try:
        if POSIX_MODES:
            os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as handle:
            descriptor = -1
            handle.write(data)
    except BaseException:
        if descriptor >= 0:
            os.close(descriptor)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    os.replace(tmp, path)


def write_private_text(path: Path, text: str) -> None:
    write_private_bytes(path, text.encode("utf-8"))


def make_tree_private(root: Path) -> int:
    """Set 0700 on ``root`` and every folder under it, 0600 on every file; return how many modes changed.

    Symbolic links are not followed (a link pointing out of the home must not make us chmod someone's files).
    """
    if not POSIX_MODES or not root.is_dir() or root.is_symlink():
        return 0
    changed = _set_mode(root, DIR_MODE)
    for folder, dirnames, filenames in os.walk(root):
        base = Path(folder)
        for name in dirnames:
            changed += _set_mode(base / name, DIR_MODE)
        for name in filenames:
            changed += _set_mode(base / name, FILE_MODE)
    return changed


def _set_mode(path: Path, mode: int) -> int:
    try:
        current = path.lstat()
    except FileNotFoundError:  # removed meanwhile (a rotated log, a SQLite -shm file)
        return 0
    if stat.S_ISLNK(current.st_mode) or current.st_mode & 0o777 == mode:
        return 0
    with contextlib.suppress(FileNotFoundError):
        path.chmod(mode)
        return 1
    return 0

