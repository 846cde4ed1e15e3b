# SPDX-License-Identifier: MIT
"""Safe YAML reading that remembers where every value came from.

Why not ``yaml.safe_load``: it forgets positions (an author needs "line 212, col 18"), silently
keeps the last of two duplicate keys (a silent guess), and expands alias bombs until memory runs
out. This reader walks the event stream first to refuse documents that are too deep, too large or
use too many aliases, then builds plain Python data from the composed node tree with a SafeLoader,
recording the line and column of every key and value by field path. Plain scalars are read by
rhrt's one documented reading (YAML 1.2 core, ambiguous forms refused: ``rules/scalars.py``),
never by PyYAML's YAML 1.1 rules.

Why two ways to build (issue 17): most documents (every bundled ruleset and case) use no anchors,
aliases or ``<<`` merge keys. For those (up to :data:`ONE_PASS_MAX_CHARS` long), one pass over
libyaml's event stream checks the limits
and builds the data with its positions (:func:`_read_events`): the same checks in the same order,
the same values and positions, the same first problem, in about half the time of checking,
composing and building separately. A document that uses any of the three, or is longer than
:data:`ONE_PASS_MAX_CHARS` (so refusing it stays cheap: it is checked whole before anything is
built), is read by the composing path (:func:`_read_composed`), which expands aliases and
merges; the one-pass reader stops at the first anchor, alias or merge key and hands the document
over.
``tests/test_yaml_one_pass.py`` checks the two give identical results (data, positions, or the
problem raised) on generated documents.

It never registers anything on PyYAML's shared loader classes (no import-time side effects).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from rhrt.errors import Problem, expect, id_shaped
from rhrt.rules import scalars

try:  # libyaml is much faster; both are safe loaders
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[attr-defined,assignment,unused-ignore]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader



class _ReadingLoader(_Loader):  # type: ignore[valid-type,misc,unused-ignore]
    """The safe loader, resolving scalars by rhrt's reading (a subclass: PyYAML's shared loader
    classes are left untouched)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return scalars.resolve_plain(value) if implicit[0] else scalars.STR_TAG
        resolved: str = super().resolve(kind, value, implicit)
        return resolved


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading YAML, so hostile input is refused before it exhausts memory.

    The defaults are far above any real ruleset (the bundled one is ~200 KB, depth 8, no
    aliases) or case, and far below what would hurt a server.
    """

    max_bytes: int = 5_000_000
    """Largest document accepted, in bytes."""
    max_depth: int = 64
    """Deepest nesting of mappings and sequences."""
    max_nodes: int = 500_000
    """Most values after expanding aliases (guards against 'billion laughs')."""
    max_aliases: int = 1_000
    """Most alias (``*name``) uses."""


DEFAULT_LIMITS = Limits()


def check_limits(limits: object) -> None:
    """Raise :class:`~rhrt.errors.ArgumentError` unless ``limits`` is a :class:`Limits`
    (``limits=None`` would otherwise fail deep inside the reader, or switch the limits off)."""
    expect(limits, Limits, "limits", "an rhrt.Limits")


@dataclass
class Located:
    """Plain data read from YAML plus the position of every field path."""

    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    """Field path → (line, column), both 1-based; a path's position is its value's."""
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    """Field path → (line, column) of the mapping key that introduces it."""
    file: str | None = None

    def where(self, path: Path) -> tuple[int | None, int | None]:
        """Best known position for a path: itself, else the nearest parent."""
        probe = tuple(path)
        while True:
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return None, None
            probe = probe[:-1]

    def where_key(self, path: Path) -> tuple[int | None, int | None]:
        """Position of the key introducing a path (for unknown-key errors)."""
        if tuple(path) in self.key_positions:
            return self.key_positions[tuple(path)]
        return self.where(path)


ProblemFactory = Callable[[str, int | None, int | None], Exception]


def format_path(path: Path) -> str:
    """``('rules', 3, 'when')`` → ``rules[3].when``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class YamlReadError(Exception):
    """Raised by :func:`read_yaml`; callers convert it to their own typed error."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def read_yaml(
    text: str | bytes,
    *,
    file: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    echo_content: bool = True,
) -> Located:
    """Parse one YAML document safely, keeping positions.

    Args:
        text: the document.
        file: the name shown in errors.
        limits: resource limits.
        echo_content: whether PyYAML's description of a syntax problem may be shown. False for
            case files, whose content is personal data; then only the position is reported.

    Raises:
        YamlReadError: with a located :class:`~rhrt.errors.Problem`.
    """
    if _size_over(text, limits.max_bytes):
        raise YamlReadError(
            Problem(f"document is over the size limit of {limits.max_bytes} bytes", file=file)
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlReadError(Problem("document is not valid UTF-8 text", file=file)) from exc
    try:
        if len(text) > ONE_PASS_MAX_CHARS:
            return _read_composed(text, limits, file, echo_content)
        try:
            return _read_events(text, limits, file, echo_content)
        except _NeedsComposer:
            return _read_composed(text, limits, file, echo_content)
    except YamlReadError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = exc.problem if (echo_content and exc.problem) else "invalid YAML syntax"
        if "could not determine a constructor" in str(exc.problem or ""):
            what = "unsafe or unknown YAML tag (only plain YAML is accepted)"
        raise YamlReadError(Problem(what, file=file, line=line, column=col)) from None
    except yaml.YAMLError:
        raise YamlReadError(Problem("invalid YAML", file=file)) from None
    except RecursionError:
        raise YamlReadError(Problem("document is nested too deeply", file=file)) from None
    except UnicodeEncodeError:  # a str with a lone surrogate, which libyaml cannot encode
        raise YamlReadError(Problem("document is not valid UTF-8 text", file=file)) from None


def _read_composed(text: str, limits: Limits, file: str | None, echo_content: bool) -> Located:
    """Check the event stream, compose the node tree (aliases and merge keys resolved), then
    build the data: the reading of every document, needed for anchors, aliases and merges.

    Raises what :func:`read_yaml` converts (``YamlReadError`` and PyYAML's errors).
    """
    _check_events(text, limits, file)
    loader = _ReadingLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(data=None, file=file)
        builder = _Builder(loader, limits, file, echo_content=echo_content)
        data = builder.build(node, ())
        return Located(data, builder.positions, builder.key_positions, file)
    finally:
        loader.dispose()


ONE_PASS_MAX_CHARS = 1_048_576
"""The longest document read in one pass. The one-pass reader builds as it checks, so a document
refused late (a syntax error, a tag or the nesting limit near its end) has first cost what was
built before the problem: for a document this long, no more than reading an accepted document
of the same length costs (about 100 MB at most, for half a million one-character values). A
longer document is checked whole before anything is built, so refusing it stays cheap
(``tests/test_limits.py``: a 2 MB document of a million values). The bundled ruleset (about
260,000 characters) and any real case are well under it."""


class _NeedsComposer(Exception):
    """The document uses an anchor, an alias or a ``<<`` merge key: read it by composing."""


_NO_KEY = object()
"""A mapping frame's key before its key has been read."""


def _read_events(text: str, limits: Limits, file: str | None, echo_content: bool) -> Located:
    """:func:`_read_composed`'s result, in one pass over the event stream, for a document with
    no anchor, alias or merge key (raises :class:`_NeedsComposer` at the first one).

    Every event gets exactly the checks :func:`_check_events` makes, in its order, and raises
    at once (as the composing path does before building anything). A problem found while
    building (a key that is not a plain scalar, a duplicate key, a refused scalar) is kept and
    raised only once the whole stream has passed those checks, so the first problem reported
    is the one the composing path reports. Without aliases, the builder's own node and depth
    limits can never be reached before the event checks', so they are not repeated here.

    The loop is written for speed (it is most of loading a ruleset): the open collection is
    held in local variables (``out``: the dict or list, ``path``, ``is_list``, ``key`` and
    ``key_path``: the key read and its child's path, or ``_NO_KEY``), and the parents' in
    ``stack``; plain text, most scalars, is taken without calling the scalar reading.
    """
    depth = 0
    nodes = 0
    documents = 0
    positions: dict[Path, tuple[int, int]] = {}
    key_positions: dict[Path, tuple[int, int]] = {}
    problem: YamlReadError | None = None  # the first problem found while building
    root: Any = _NO_KEY
    out: Any = None  # the open collection (None: the document's root is next)
    path: Path = ()
    is_list = False
    key: Any = _NO_KEY
    key_path: Path = ()
    stack: list[tuple[Any, Path, bool]] = []
    max_depth = limits.max_depth
    max_nodes = limits.max_nodes
    scalar_event = yaml.ScalarEvent
    mapping_start = yaml.MappingStartEvent
    sequence_start = yaml.SequenceStartEvent
    collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    stream_end = yaml.StreamEndEvent
    special = scalars.MAYBE_SPECIAL
    str_tag = _STR_TAG
    loader: Any = _Loader(text)
    next_event = loader.get_event
    try:
        while True:
            event: Any = next_event()
            kind = type(event)
            if kind is scalar_event or kind is mapping_start or kind is sequence_start:
                if event.tag is not None:
                    raise YamlReadError(
                        _problem_at(
                            "unsafe or unknown YAML tag (only plain YAML is accepted)", event, file
                        )
                    )
                if event.anchor is not None:
                    raise _NeedsComposer
                nodes += 1
                if kind is scalar_event:
                    tag = str_tag
                    if event.implicit[0]:
                        text_value = event.value
                        if not text_value or text_value[0] in special:
                            tag = scalars.resolve_plain(text_value)
                            if tag == scalars.MERGE_TAG:
                                raise _NeedsComposer
                else:
                    depth += 1
                    if depth > max_depth:
                        raise YamlReadError(
                            _problem_at(
                                f"nesting deeper than the limit of {max_depth}", event, file
                            )
                        )
                if nodes > max_nodes:
                    raise YamlReadError(
                        _problem_at(
                            f"more than the limit of {max_nodes} values (after expanding aliases)",
                            event,
                            file,
                        )
                    )
                if problem is not None:
                    continue  # only checking from here on
                mark = event.start_mark
                where = (mark.line + 1, mark.column + 1)
                if is_list:
                    here: Path = (*path, len(out))
                elif out is None:
                    here = ()
                elif key is _NO_KEY:  # this node is a mapping key
                    if kind is not scalar_event:
                        problem = YamlReadError(
                            _problem_at("mapping keys must be plain scalars", event, file)
                        )
                        continue
                    if tag is str_tag:
                        read = event.value
                    else:
                        try:
                            read = _scalar(tag, event, path, file, echo_content)
                        except YamlReadError as exc:
                            problem = exc
                            continue
                        if not isinstance(read, (str, int, float, bool)) and read is not None:
                            problem = YamlReadError(
                                _problem_at("mapping keys must be plain scalars", event, file)
                            )
                            continue
                    if read in out:
                        shown = echo_content or id_shaped(read)
                        problem = YamlReadError(
                            Problem(
                                f"duplicate key '{read}'" if shown else "duplicate key (not shown)",
                                path=format_path(path),
                                file=file,
                                line=where[0],
                                column=where[1],
                            )
                        )
                        continue
                    key = read
                    key_path = (*path, read if isinstance(read, (str, int)) else str(read))
                    key_positions[key_path] = where
                    continue
                else:
                    here = key_path
                positions[here] = where
                if kind is scalar_event:
                    if tag is str_tag:
                        value: Any = event.value
                    else:
                        try:
                            value = _scalar(tag, event, here, file, echo_content)
                        except YamlReadError as exc:
                            problem = exc
                            continue
                else:
                    value = {} if kind is mapping_start else []
                if is_list:
                    out.append(value)
                elif out is None:
                    root = value
                else:
                    out[key] = value
                    key = _NO_KEY
                if kind is not scalar_event:
                    stack.append((out, path, is_list))
                    out, path, is_list = value, here, kind is sequence_start
            elif kind in collection_end:
                depth -= 1
                if problem is None:
                    out, path, is_list = stack.pop()
            elif kind is yaml.AliasEvent:
                raise _NeedsComposer
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlReadError(
                        _problem_at("expected a single YAML document", event, file)
                    )
            elif kind is stream_end:
                break
    finally:
        loader.dispose()
    if problem is not None:
        raise problem
    if root is _NO_KEY:
        return Located(data=None, file=file)
    return Located(root, positions, key_positions, file)


_TIMESTAMP_CONSTRUCTOR = yaml.constructor.SafeConstructor.construct_yaml_timestamp


def _scalar(tag: str, event: Any, path: Path, file: str | None, echo_content: bool) -> Any:
    """A scalar event's value, read as :meth:`_Builder._construct` reads its node (``path``
    as that method is given it), with its problems as :class:`YamlReadError`."""
    try:
        if tag == _STR_TAG:
            return event.value
        if tag in scalars.CORE_TAGS:
            return scalars.construct(tag, event.value)
        # The one other tag a plain scalar resolves to here (merge keys go to the composer).
        assert tag == scalars.TIMESTAMP_TAG, tag
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        return _TIMESTAMP_CONSTRUCTOR(yaml.constructor.SafeConstructor(), node)
    except (scalars.AmbiguousScalar, ValueError, OverflowError) as exc:
        raise YamlReadError(_scalar_problem(exc, event, path, file, echo_content)) from None


def _scalar_problem(
    exc: Exception, at: Any, path: Path, file: str | None, echo_content: bool
) -> Problem:
    """The problem to report for a scalar that could not be read (both readers: ``at`` is the
    event or node): an ambiguous spelling says what it might have meant (with the value only
    when ``echo_content``); PyYAML's bare ValueError/OverflowError for a well-formed but
    impossible value (a timestamp such as 2023-02-29, ``!!int x``) is reported at its position."""
    if isinstance(exc, scalars.AmbiguousScalar):
        mark = at.start_mark
        return Problem(
            exc.message if echo_content else exc.private_message,
            path=format_path(path),
            file=file,
            line=mark.line + 1,
            column=mark.column + 1,
        )
    return _problem_at(
        "invalid value for its type (e.g. an impossible date such as 2023-02-30)", at, file
    )


def _size_over(text: str | bytes, max_bytes: int) -> bool:
    """Whether the UTF-8 size exceeds ``max_bytes``, without copying a huge string to find out
    (a character is 1 to 4 bytes)."""
    if len(text) > max_bytes:
        return True
    if isinstance(text, bytes) or len(text) * 4 <= max_bytes:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > max_bytes


def read_limited(file: Any, max_bytes: int) -> bytes:
    """Read a file, but at most one byte more than ``max_bytes`` (enough to refuse it)."""
    with open(file, "rb") as handle:
        data: bytes = handle.read(max_bytes + 1)
    return data


def _check_events(text: str, limits: Limits, file: str | None) -> None:
    """Refuse over-deep, over-large or alias-heavy documents from the flat event stream.

    The event parser is iterative, so this runs before any recursive composition. ``nodes``
    counts values *after* expanding aliases: each anchor's expanded size is recorded when its
    node ends and added at every use, so a 'billion laughs' document, and a '<<' merge-key bomb
    (whose merges PyYAML copies into place, doubling per level), are refused here in linear time,
    before composition or merge flattening can allocate anything.
    """
    depth = 0
    nodes = 0
    aliases = 0
    documents = 0
    sizes: dict[str, int] = {}  # anchor → expanded number of values of its node
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, nodes before it) per open collection
    for event in yaml.parse(text, Loader=_Loader):
        if getattr(event, "tag", None) is not None:
            # Any explicit tag (!!binary, !!python/..., !!str, a custom !tag, or the bare "!"):
            # plain YAML only, so a value is never built as something its reader did not expect.
            raise YamlReadError(
                _problem_at("unsafe or unknown YAML tag (only plain YAML is accepted)", event, file)
            )
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlReadError(_problem_at("expected a single YAML document", event, file))
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_nodes.append((event.anchor, nodes))
            depth += 1
            nodes += 1
            if depth > limits.max_depth:
                raise YamlReadError(
                    _problem_at(f"nesting deeper than the limit of {limits.max_depth}", event, file)
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            anchor, before = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = nodes - before
        elif isinstance(event, yaml.ScalarEvent):
            nodes += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > limits.max_aliases:
                raise YamlReadError(
                    _problem_at(f"more than the limit of {limits.max_aliases} aliases", event, file)
                )
            # An alias to a still-open (recursive) anchor counts 1; the builder's depth limit
            # stops the recursion.
            nodes += sizes.get(event.anchor or "", 1)
        if nodes > limits.max_nodes:
            raise YamlReadError(
                _problem_at(
                    f"more than the limit of {limits.max_nodes} values (after expanding aliases)",
                    event,
                    file,
                )
            )


def _problem_at(message: str, event: Any, file: str | None) -> Problem:
    mark = getattr(event, "start_mark", None)
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return Problem(message, file=file, line=line, column=col)


_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _Builder:
    """Turns a composed node tree into plain data, counting expanded nodes."""

    def __init__(
        self,
        loader: yaml.SafeLoader,
        limits: Limits,
        file: str | None,
        *,
        echo_content: bool = True,
    ) -> None:
        self.loader = loader
        self.echo_content = echo_content
        self.limits = limits
        self.file = file
        self.count = 0
        self.positions: dict[Path, tuple[int, int]] = {}
        self.key_positions: dict[Path, tuple[int, int]] = {}

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise YamlReadError(
                Problem(
                    f"more than the limit of {self.limits.max_nodes} values "
                    "after expanding aliases",
                    file=self.file,
                )
            )
        if len(path) > self.limits.max_depth:
            raise YamlReadError(
                Problem(f"nesting deeper than the limit of {self.limits.max_depth}", file=self.file)
            )
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            raise YamlReadError(
                _problem_at(
                    "unsafe or unknown YAML tag (only plain YAML is accepted)", node, self.file
                )
            )
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)  # resolves '<<' merge keys safely
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):  # refused before it is built
                    raise YamlReadError(
                        _problem_at("mapping keys must be plain scalars", key_node, self.file)
                    )
                key = self._construct(key_node, path)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise YamlReadError(
                        _problem_at("mapping keys must be plain scalars", key_node, self.file)
                    )
                if key in out:
                    # Case files (echo_content False) name the key only when it may be shown.
                    shown = self.echo_content or id_shaped(key)
                    raise YamlReadError(
                        Problem(
                            f"duplicate key '{key}'" if shown else "duplicate key (not shown)",
                            path=format_path(path),
                            file=self.file,
                            line=key_node.start_mark.line + 1,
                            column=key_node.start_mark.column + 1,
                        )
                    )
                child_path = (*path, key if isinstance(key, (str, int)) else str(key))
                self.key_positions[child_path] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[key] = self.build(value_node, child_path)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._construct(node, path)

    def _construct(self, node: yaml.Node, path: Path = ()) -> Any:
        """A scalar's value; a value that cannot be read is reported as :func:`_scalar_problem`
        says."""
        try:
            if node.tag == _STR_TAG:  # most values: skip PyYAML's generic constructor machinery
                return node.value
            if node.tag in scalars.CORE_TAGS:  # numbers, booleans, nulls: rhrt's reading
                return scalars.construct(node.tag, node.value)
            return self.loader.construct_object(node, deep=True)
        except (scalars.AmbiguousScalar, ValueError, OverflowError) as exc:
            raise YamlReadError(
                _scalar_problem(exc, node, path, self.file, self.echo_content)
            ) from None
