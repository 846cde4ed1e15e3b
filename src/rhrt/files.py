# SPDX-License-Identifier: MIT
"""Every file rhrt writes goes through here: whole or not at all, never over an input.

Why: a batch run, a report or a synthetic population replaces a file an analyst may rely on.
A run that fails half way (a bad row, a missing input, a full disk, Ctrl-C, ``kill``) must leave
the old file as it was, not a truncated one that looks finished; and an output that names one
of the inputs (the same path or a hard link to it) must be refused before anything is read, or
the input is destroyed.

An output whose name is a symbolic link (a link to a link included, or a dangling one) is
refused: give the real path. Why: writing "through" a link replaces whatever the chain ends at —
a batch summary once replaced the shared Python interpreter that way — and a simple rule is one
nobody can get wrong. Only the last part of the name is checked (a linked folder such as
``/tmp`` on macOS is fine). Devices are the exception: ``/dev/stdout`` is itself a link, to
the terminal or pipe, and is written in place; so are the process's own open streams
(``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``) when the shell points
them at a file (``--out /dev/stdout > file``): that file is already open for writing.

So an output is written to a temporary file in the same folder (same file system, so the final
``os.replace`` is atomic) and renamed over the target only when complete; on any exception —
including ``KeyboardInterrupt`` and the CLI's SIGTERM/SIGHUP handling — the temporary file is
removed and the target is untouched. Files are compared by device and inode. Special files
(``/dev/stdout``, a FIFO, ``/dev/full``) cannot be replaced, so they are written directly.

Compression follows the name, as on reading: ``.gz`` (gzip), ``.bz2`` and ``.zst`` (zstd).

Errors are :class:`~rhrt.errors.FileError` naming the file as given and the system's reason;
never any content. This module imports nothing heavy (no pyarrow).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO

from rhrt.errors import FileError

__all__ = [
    "COMPRESSIONS",
    "AtomicOutput",
    "check_output",
    "compression_of",
    "read_bounded",
    "write_bytes",
    "write_text",
]

COMPRESSIONS: dict[str, str] = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
"""File-name suffix → codec, for reading and writing alike (pyarrow codec names)."""

_TEMP_SUFFIX = ".rhrt-tmp"


def compression_of(path: str | Path) -> str | None:
    """The codec a file name asks for (``'gzip'``, ``'bz2'``, ``'zstd'``), or None."""
    return COMPRESSIONS.get(Path(path).suffix.lower())


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _special(path: Path) -> bool:
    """Whether ``path`` (links followed) is a device, FIFO or socket: written in place."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


_STREAM = re.compile(r"/dev/std(?:out|err)|/(?:dev|proc/self)/fd/[0-9]+")


def _in_place(path: Path) -> bool:
    """Whether ``path`` is written in place, not replaced: a special file, or one of the
    process's own open streams by its ``/dev`` name (a link to whatever the shell opened)."""
    return _special(path) or _STREAM.fullmatch(str(path)) is not None


_PROGRAM_MAGIC = (b"\x7fELF", b"#!", b"MZ")


def _is_program(path: Path) -> bool:
    """An existing executable file that starts like a program or script.

    Why: an atomic rename replaces a file even while it runs (where writing into it would fail
    with "text file busy"), so without this check ``--out /proc/self/exe`` or a symlink to the
    Python interpreter would replace the interpreter. rhrt never writes programs.
    """
    try:
        if not os.stat(path).st_mode & 0o111:
            return False
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    return head.startswith(_PROGRAM_MAGIC)


def check_output(
    out: str | Path, inputs: Iterable[str | Path | None] = (), *, what: str = "output file"
) -> Path:
    """Refuse an output that cannot be a new file, or that is one of ``inputs``.

    Reads and writes nothing (but the first bytes of an existing executable file). Returns the
    path to write: a device or FIFO (even through links) or an own stream (``/dev/stdout``)
    as given, to be written in place; else the file itself (its folder's links resolved), to
    be replaced whole.

    Raises:
        FileError: the name is a symbolic link (not to a device), the folder does not exist, the
            output is a folder, it is the same file as an input (same device and inode: hard
            links included), or it is a program.
    """
    given = str(out)
    if given == "" or given == "-":
        raise FileError(f"the {what} needs a file name", path=given)
    try:
        if _in_place(Path(out)):
            return Path(out)
        linked = os.path.islink(out)
        target = Path(os.path.realpath(Path(out)))
        parent_ok, is_folder = target.parent.is_dir(), target.is_dir()
    except (ValueError, OSError):  # e.g. a NUL character, or a name too long
        raise FileError(f"the {what} is not a usable file name", path=given[:200]) from None
    if linked:
        raise FileError(
            f"the {what} is a symbolic link; rhrt never writes through one: give the real path",
            path=given,
        )
    if not parent_ok:
        raise FileError(f"the folder for the {what} does not exist", path=given)
    if is_folder:
        raise FileError(f"the {what} is a folder, not a file", path=given)
    mine = _identity(target)
    if mine is not None:
        for item in inputs:
            if item is None or str(item) == "-":
                continue
            if _identity(Path(item)) == mine:
                raise FileError(f"the {what} is the same file as an input", path=given)
        if _is_program(target):
            raise FileError(f"the {what} is a program; rhrt never replaces one", path=given)
    return target


class AtomicOutput:
    """A file written whole or not at all (a context manager).

    ``with AtomicOutput("out.csv", inputs=["in.csv"]) as out:`` checks the name
    (:func:`check_output`), creates an empty temporary file beside the target and gives its
    path as ``out.path``; write there. On leaving the block normally the file is flushed to disk
    and renamed over the target; on any exception it is removed and the target left as it was.
    A special file (a device or FIFO) is written in place (``out.path`` is the target).

    The temporary file is created with the process's umask (``0o666`` before it); an existing
    target's permission bits are kept.

    Raises:
        FileError: as :func:`check_output`; or the temporary file cannot be created; or the
            final flush or rename fails (e.g. the disk is full).
    """

    def __init__(
        self, out: str | Path, inputs: Iterable[str | Path | None] = (), *,
        what: str = "output file",
    ) -> None:
        self.given = str(out)
        self.what = what
        self.target = check_output(out, inputs, what=what)
        self.path = self.target
        self._temp: Path | None = None
        self._done = False

    @property
    def special(self) -> bool:
        """Whether the target is a device, FIFO, socket or an own stream (written in place)."""
        return _in_place(self.target)

    def open(self) -> AtomicOutput:
        """Create the temporary file (done by ``__enter__``)."""
        if self._temp is not None or self.special:
            return self
        name = f".{self.target.name}.{secrets.token_hex(6)}{_TEMP_SUFFIX}"
        temp = self.target.with_name(name)
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise FileError(
                f"cannot create the {self.what} ({_reason(exc)})", path=self.given
            ) from None
        try:
            os.chmod(temp, stat.S_IMODE(self.target.stat().st_mode))
        except OSError:
            pass  # no existing target: keep the umask's permissions
        finally:
            os.close(fd)
        self._temp = temp
        self.path = temp
        return self

    def commit(self) -> None:
        """Flush the finished temporary file to disk and rename it over the target."""
        if self._done:
            return
        self._done = True
        if self._temp is None:
            return
        try:
            fd = os.open(self._temp, os.O_RDWR)  # writable: fsync needs it on Windows
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self._temp, self.target)
        except OSError as exc:
            self.discard()
            raise FileError(
                f"cannot write the {self.what} ({_reason(exc)})", path=self.given
            ) from None
        self._temp = None

    def discard(self) -> None:
        """Remove the temporary file; the target keeps its old content (or stays absent)."""
        self._done = True
        if self._temp is not None:
            with contextlib.suppress(OSError):  # the folder vanished or became read-only
                self._temp.unlink(missing_ok=True)
            self._temp = None

    def write(self, data: bytes) -> None:
        """Write all of ``data`` to ``path``, compressed when the target's name says so."""
        with _binary(self, compression_of(self.target)) as write:
            write(data)

    def write_failed(self, exc: OSError) -> FileError:
        """The error to raise when writing to ``path`` failed (e.g. no space left)."""
        return FileError(f"cannot write the {self.what} ({_reason(exc)})", path=self.given)

    def __enter__(self) -> AtomicOutput:
        return self.open()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


@contextmanager
def _binary(out: AtomicOutput, compression: str | None) -> Iterator[Callable[[bytes], object]]:
    """The ``write`` function of ``out.path`` opened for bytes, compressed as asked."""
    import bz2
    import gzip

    if compression == "zstd":
        raise FileError(
            f"cannot write a .zst {out.what} here: use .gz or .bz2", path=out.given
        )
    try:
        with open(out.path, "wb") as raw:
            if compression == "gzip":
                # mtime=0 and no file name: the same text always gives the same bytes
                with gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0) as packed:
                    yield packed.write
            elif compression == "bz2":
                with bz2.BZ2File(raw, "wb") as packed:
                    yield packed.write
            else:
                yield raw.write
    except OSError as exc:
        raise out.write_failed(exc) from None


def write_bytes(
    out: str | Path, data: bytes, inputs: Iterable[str | Path | None] = (), *,
    what: str = "output file",
) -> None:
    """Write ``data`` to ``out`` atomically, compressed when the name ends ``.gz``/``.bz2``.

    Raises:
        FileError: see :class:`AtomicOutput`.
    """
    with AtomicOutput(out, inputs, what=what) as target:
        target.write(data)


def write_text(
    out: str | Path, text: str, inputs: Iterable[str | Path | None] = (), *,
    what: str = "output file",
) -> None:
    """Write ``text`` as UTF-8 to ``out`` atomically (see :func:`write_bytes`)."""
    write_bytes(out, text.encode("utf-8"), inputs, what=what)


def read_bounded(handle: IO[bytes], max_bytes: int) -> bytes:
    """Read at most ``max_bytes + 1`` bytes (enough to know a document is over the limit),
    in pieces, so an endless or huge input (``/dev/zero``, a pipe) never fills memory."""
    parts: list[bytes] = []
    left = max_bytes + 1
    while left > 0:
        piece = handle.read(min(left, 1 << 20))
        if not piece:
            break
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)
