# SPDX-License-Identifier: MIT
"""Fuzz targets for rhrt and the hostile inputs that drive them.

Three targets, each a function of one generated input:

``ruleset-loader``
    YAML text (or bytes, or plain data) → :func:`rhrt.ruleset_from_text` /
    :func:`rhrt.ruleset_from_data`; when a mutated ruleset still loads, a few cases are assessed
    with it too, so odd-but-valid rulesets exercise the compiler, the engine and the explainer.
``case-parser``
    case text, bytes or a mapping → :meth:`rhrt.Ruleset.validate_case`.
``assess``
    case + override + engine name → :meth:`rhrt.Ruleset.assess`, then the decision's record,
    JSON and repr.
``tables``
    a pandas, polars or pyarrow table with known, unknown and header-like column names, every
    Arrow type family and cells of any Python kind → ``rhrt.batch.assess_table`` and, row by
    row, ``iter_cases`` + ``assess``: only CaseError, no secret, and both paths agree.
``cli-output``
    ``rhrt assess|render|docs|batch … --out OUT`` in a scratch folder, where the case or table
    is valid or broken and OUT is new, an existing file, the input itself (same path, hard
    link, symlink), a missing folder, a folder or ``/dev/full``, with any compression suffix.
    The command must exit 0 or 2 (never 1), leave the input byte-identical, leave an existing
    output byte-identical whenever it fails, leave no temporary file, write compressed files
    as named and CSV cells that no spreadsheet runs as a formula, and print no planted secret.

The contract every target checks: **nothing but** :class:`rhrt.errors.RhrtError` escapes, a
ruleset error carries its file (and line/column for schema and reference problems), and no case
error, decision record or repr shows a planted secret (a long random string put in notes,
references, sources and wrongly-typed values).

Inputs are nasty on purpose: random YAML-ish text and token soup, raw bytes (invalid UTF-8),
valid rulesets and cases mutated structurally (keys deleted or added, values swapped for wrong
types, huge numbers, unicode, control characters, deep nesting) and textually (characters
inserted, deleted, duplicated, truncated), anchors/aliases/merge keys, and nesting around the
depth limit.

Used by ``fuzz/run.py`` (hypothesis, 100,000 inputs per target by default, and atheris where it
is installed) and, with a small sample, by ``tests/test_fuzz_sample.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
import string
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

import rhrt
from rhrt.errors import (
    CaseError,
    RhrtError,
    RulesetError,
    RulesetReferenceError,
    RulesetSchemaError,
)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "rulesets" / "minimal.yaml"
FILE_NAME = "<fuzz>"
SECRET_PREFIX = "S3CRET"


class FuzzFailure(AssertionError):
    """A target broke its contract (raised so hypothesis shrinks and reports the input)."""


# -- shared fixtures ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def minimal_text() -> str:
    return MINIMAL.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def minimal_ruleset() -> rhrt.Ruleset:
    return rhrt.load_ruleset(MINIMAL)


@lru_cache(maxsize=1)
def _minimal_data_cached() -> Any:
    return yaml.load(minimal_text(), Loader=_LOADER)


def _minimal_data() -> Any:
    return copy.deepcopy(_minimal_data_cached())


@lru_cache(maxsize=1)
def indicator_ids() -> tuple[str, ...]:
    return tuple(i.id for i in minimal_ruleset().model.indicators)


# -- generic nasty values ----------------------------------------------------------------------

YAML_SPECIALS = "{}[]:,-?&*!|>'\"%@`#<=~\n\t \\"
CONTROL = "".join(chr(c) for c in (*range(0, 32), 127, 0x85, 0x2028, 0x2029, 0x202E, 0xFEFF))

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "\ufeff",
    "\u202egnp.exe",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in () %}{% endfor %}",
    "[x](javascript:alert(1))",
    "~",
    "null",
    "yes",
    "NaN",
    ".inf",
    "-.inf",
    "0x7fffffffffffffffffffffff",
    "1e309",
    "2024-02-30",
    "0000-01-01",
    "9999-12-31",
    "level-1",
    "a" * 300,
    "é" * 100,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "../../etc/passwd",
    "!!python/object/apply:os.system ['echo pwned']",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=30),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),  # includes nan, inf, -0.0, subnormals
    st.sampled_from(NASTY_STRINGS),
    st.text(max_size=30),
    st.text(alphabet=CONTROL + YAML_SPECIALS, max_size=20),
    st.dates(min_value=dt.date(1, 1, 1)),
)

nasty = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=12), st.integers()), children, max_size=4),
    ),
    max_leaves=12,
)


def secrets() -> st.SearchStrategy[str]:
    """A long random marker standing for a child's personal data."""
    return st.text(alphabet=string.ascii_letters + string.digits, min_size=24, max_size=40).map(
        lambda s: SECRET_PREFIX + s
    )


def deep(n: int, kind: str = "list") -> Any:
    """A value nested ``n`` levels deep (built iteratively)."""
    value: Any = "x"
    for _ in range(n):
        value = [value] if kind == "list" else {"k": value}
    return value


# -- structural mutation -----------------------------------------------------------------------


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


MUTATIONS = (
    "delete",
    "nasty",
    "huge",
    "wrong-type",
    "unicode",
    "control",
    "deep",
    "wrap",
    "duplicate",
    "unknown-key",
    "empty",
    "swap",
)


@st.composite
def mutated(
    draw: st.DrawFn,
    data: Any,
    *,
    plant: str | None = None,
    max_mutations: int = 4,
    ops: tuple[str, ...] = MUTATIONS,
) -> Any:
    """``data`` with 1-``max_mutations`` random structural mutations.

    With ``plant``, some mutations put the secret in a value position (never a key or an id).
    """
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(ops))
        if op == "nasty":
            new: Any = draw(nasty)
        elif op == "huge":
            new = draw(
                st.sampled_from(
                    [
                        10**100,
                        -(10**100),
                        2**63,
                        -(2**63) - 1,
                        1e308,
                        -1e308,
                        float("inf"),
                        float("nan"),
                        10**4000,
                    ]
                )
            )
        elif op == "wrong-type":
            new = draw(st.sampled_from([[], {}, None, True, 0, 1.5, "x", [[]], {"x": {}}]))
            if plant is not None and draw(st.booleans()):
                new = plant if draw(st.booleans()) else [plant]
        elif op == "unicode":
            new = draw(st.text(min_size=1, max_size=40))
        elif op == "control":
            new = draw(st.text(alphabet=CONTROL, min_size=1, max_size=10))
        elif op == "deep":
            new = deep(draw(st.integers(1, 80)), draw(st.sampled_from(["list", "map"])))
        elif op == "empty":
            new = draw(st.sampled_from(["", [], {}]))
        else:
            new = None
        if not path:
            if op in {"nasty", "huge", "wrong-type", "unicode", "control", "deep", "empty"}:
                data = new
            continue
        parent = _get(data, path[:-1])
        key = path[-1]
        if op == "delete":
            del parent[key]
        elif op == "wrap":
            parent[key] = [parent[key]]
        elif op == "duplicate":
            if isinstance(parent, list):
                parent.insert(key, copy.deepcopy(parent[key]))
            else:
                parent[key] = [parent[key], parent[key]]
        elif op == "unknown-key":
            target = parent[key]
            if isinstance(target, dict):
                target[draw(st.sampled_from(["extra", "Id", "note ", "levels", "<<", ""]))] = draw(
                    scalars
                )
        elif op == "swap":
            siblings = list(range(len(parent))) if isinstance(parent, list) else list(parent)
            other = draw(st.sampled_from(siblings))
            parent[key], parent[other] = parent[other], parent[key]
        else:
            parent[key] = new
    return data


# -- textual mutation --------------------------------------------------------------------------


@st.composite
def text_mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few character-level edits (YAML syntax characters are favoured)."""
    for _ in range(draw(st.integers(1, 4))):
        n = len(text)
        i = draw(st.integers(0, n))
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "truncate", "replace-line"]))
        if op == "insert":
            piece = draw(
                st.one_of(
                    st.text(alphabet=YAML_SPECIALS + CONTROL, min_size=1, max_size=4),
                    st.sampled_from(
                        [
                            "&a ",
                            "*a",
                            "<<: *a",
                            "!!python/name:os.system",
                            "!!binary ",
                            "? ",
                            "--- ",
                            "...\n",
                            "%YAML 1.1\n",
                            "!tag ",
                            "\ud800",
                        ]
                    ),
                )
            )
            text = text[:i] + piece + text[i:]
        elif op == "delete":
            j = draw(st.integers(i, min(n, i + 40)))
            text = text[:i] + text[j:]
        elif op == "duplicate":
            j = draw(st.integers(i, min(n, i + 200)))
            text = text[:j] + text[i:j] + text[j:]
        elif op == "truncate":
            text = text[:i]
        else:
            lines = text.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            lines[k] = draw(st.text(alphabet=YAML_SPECIALS + "abc01", max_size=30))
            text = "\n".join(lines)
    return text


# -- YAML-ish generators -----------------------------------------------------------------------

TOKENS = [
    "a",
    "b",
    "id",
    ":",
    ": ",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n",
    "  ",
    "&x ",
    "*x",
    "&y ",
    "*y",
    "<<: ",
    "? ",
    "!!str ",
    "!!map ",
    "!!set ",
    "!!omap ",
    "!!python/tuple ",
    "'",
    '"',
    "|",
    ">",
    "#",
    "---\n",
    "...\n",
    "1",
    "1.5",
    "~",
    "null",
    "true",
    "2024-01-01",
    "\t",
    "\\",
    "%TAG ! tag:x,2000:\n",
    "\x00",
    "\ufeff",
    "é",
]


@st.composite
def alias_soup(draw: st.DrawFn) -> str:
    """Anchors, aliases and merge keys: laughs, merge chains, recursion, undefined aliases."""
    kind = draw(st.sampled_from(["laughs", "merge", "recursive", "random"]))
    depth = draw(st.integers(1, 40))
    width = draw(st.integers(1, 12))
    if kind == "laughs":
        lines = ['a0: &a0 ["lol"]']
        lines += [
            f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, depth)
        ]
        return "\n".join(lines)
    if kind == "merge":
        inner = "&b0 {k: v}"
        for i in range(1, depth):
            refs = ", ".join([f"*b{i - 1}"] * width)
            inner = f"&b{i} {{<<: [{inner}, {refs}]}}"
        return f"x: {inner}\n"
    if kind == "recursive":
        return draw(
            st.sampled_from(
                [
                    "&a [*a]",
                    "&a {k: *a}",
                    "&a {<<: *a}",
                    "a: &a [*a, *a]",
                    "? &k [*k]\n: v",
                    "*undefined",
                    "&a x\n*a: y",
                ]
            )
        )
    parts = draw(st.lists(st.sampled_from(TOKENS[:25]), max_size=60))
    return "".join(parts)


@st.composite
def deep_text(draw: st.DrawFn) -> str:
    n = draw(st.one_of(st.integers(0, 130), st.sampled_from([1_000, 10_000])))
    kind = draw(st.sampled_from(["flow-seq", "flow-map", "block-map", "block-seq", "unclosed"]))
    if kind == "flow-seq":
        return "[" * n + "]" * n
    if kind == "flow-map":
        return "{a: " * n + "1" + "}" * n
    if kind == "block-map":
        n = min(n, 300)
        return "".join(" " * i + "a:\n" for i in range(n)) + " " * n + "b"
    if kind == "block-seq":
        return "- " * n + "x"
    return "[" * n


def yaml_dump(data: Any) -> str:
    try:
        return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return json.dumps(data, default=str)


@st.composite
def serialised(draw: st.DrawFn, data: Any) -> Any:
    """``data`` as a mapping, JSON, YAML (block or flow), or bytes; sometimes text-mutated."""
    how = draw(st.sampled_from(["data", "yaml", "flow", "json", "bytes"]))
    if how == "data":
        return data
    if how == "json":
        text = json.dumps(data, default=str, allow_nan=True)
    elif how == "flow":
        try:
            text = yaml.dump(
                data, Dumper=_DUMPER, default_flow_style=True, allow_unicode=True, width=10**6
            )
        except (yaml.YAMLError, RecursionError, ValueError, TypeError):
            text = json.dumps(data, default=str)
    else:
        text = yaml_dump(data)
    if how == "bytes":
        return text.encode("utf-8", "surrogatepass")
    return text


# -- ruleset inputs ----------------------------------------------------------------------------


@st.composite
def ruleset_inputs(draw: st.DrawFn) -> Any:
    kind = draw(
        st.sampled_from(
            [
                "mutated",
                "mutated",
                "mutated",
                "text-mutated",
                "text-mutated",
                "valid",
                "soup",
                "aliases",
                "deep",
                "random-text",
                "bytes",
                "nasty",
            ]
        )
    )
    if kind == "valid":
        return draw(serialised(_minimal_data()))
    if kind == "mutated":
        return draw(serialised(draw(mutated(_minimal_data()))))
    if kind == "text-mutated":
        return draw(text_mutated(minimal_text()))
    if kind == "soup":
        return "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=80)))
    if kind == "aliases":
        return draw(alias_soup())
    if kind == "deep":
        return draw(deep_text())
    if kind == "random-text":
        return draw(st.text(max_size=300))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    return draw(nasty)


# -- case inputs -------------------------------------------------------------------------------


@st.composite
def valid_cases(draw: st.DrawFn, secret: str) -> dict[str, Any]:
    """A case that validates against the minimal ruleset, with the secret in every free text."""
    ids = indicator_ids()
    case: dict[str, Any] = {}
    age = draw(st.sampled_from(["years", "months", "dob", "unborn", "none"]))
    if age == "years":
        case["child"] = {"age_years": draw(st.integers(0, 25) | st.floats(0, 25))}
    elif age == "months":
        case["child"] = {"age_months": draw(st.integers(0, 300))}
    elif age == "dob":
        when = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)))
        dob = draw(st.dates(min_value=when - dt.timedelta(days=9000), max_value=when))
        case["child"] = {"date_of_birth": dob.isoformat()}
        case["assessment_date"] = when.isoformat()
    elif age == "unborn":
        case["child"] = {"unborn": True, "gestation_weeks": draw(st.integers(0, 45))}
    items: list[Any] = []
    for ind in draw(st.lists(st.sampled_from(ids), max_size=6)):
        if draw(st.booleans()):
            items.append(ind)
        else:
            items.append(
                {"id": ind, "note": secret, "source": draw(st.sampled_from(["school", secret]))}
            )
    case["indicators"] = items
    if draw(st.booleans()):
        case["measures"] = {"dash_score": draw(st.integers(0, 24))}
    if draw(st.booleans()):
        case["consent"] = draw(st.sampled_from(["given", "refused", "not_sought"]))
    if draw(st.booleans()):
        case["reference"] = secret[:200]
    if draw(st.booleans()):
        case["recorded_decision"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        case["referral_source"] = draw(st.sampled_from(["police", "school", secret]))
    return case


@st.composite
def case_inputs(draw: st.DrawFn) -> tuple[Any, str, bool]:
    """(case input, secret, whether the secret can only be in value positions)."""
    secret = draw(secrets())
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "mutated",
                "mutated",
                "mutated",
                "text-mutated",
                "soup",
                "aliases",
                "deep",
                "random-text",
                "bytes",
                "nasty",
                "huge",
            ]
        )
    )
    if kind == "valid":
        return draw(serialised(draw(valid_cases(secret)))), secret, True
    if kind == "mutated":
        case = draw(mutated(draw(valid_cases(secret)), plant=secret))
        return draw(serialised(case)), secret, True
    if kind == "text-mutated":
        # Character edits can turn a note into a key (and keys are echoed as field paths), so
        # the secret check does not apply to these.
        return draw(text_mutated(yaml_dump(draw(valid_cases(secret))))), secret, False
    if kind == "soup":
        return "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=80))), secret, True
    if kind == "aliases":
        return draw(alias_soup()), secret, True
    if kind == "deep":
        return draw(deep_text()), secret, True
    if kind == "random-text":
        return draw(st.text(max_size=300)), secret, True
    if kind == "bytes":
        return draw(st.binary(max_size=300)), secret, True
    if kind == "huge":
        n = draw(st.sampled_from([2_001, 3_000]))
        case = {"indicators": [{"id": "poor-diet", "note": secret}] * n}
        if draw(st.booleans()):
            return case, secret, True
        return json.dumps(case), secret, True
    return draw(nasty), secret, True


@st.composite
def overrides(draw: st.DrawFn, secret: str) -> Any:
    kind = draw(st.sampled_from(["none", "none", "valid", "mutated", "nasty"]))
    valid = {"level": draw(st.integers(1, 4)), "reason": secret, "role": "social worker"}
    if kind == "none":
        return None
    if kind == "valid":
        return valid
    if kind == "mutated":
        # The role ('social worker') is shown by design: keep the planted secret out of it.
        out = draw(mutated(valid, plant=secret, ops=tuple(m for m in MUTATIONS if m != "swap")))
        if isinstance(out, dict) and secret in str(out.get("role", "")):
            out["role"] = "social worker"
        return out
    return draw(nasty)


@st.composite
def assess_inputs(draw: st.DrawFn) -> tuple[Any, Any, str, str, bool]:
    case, secret, checked = draw(case_inputs())
    if draw(st.integers(0, 3)) > 0:  # mostly valid cases, so assessment itself is exercised
        secret = draw(secrets())
        case = draw(serialised(draw(valid_cases(secret))))
        checked = True
    engine = draw(
        st.sampled_from(
            [
                "reference",
                "reference",
                "reference",
                "Reference",
                "",
                "durable ",
                "../reference",
                "\x00",
            ]
        )
    )
    return case, draw(overrides(secret)), engine, secret, checked


# -- targets -----------------------------------------------------------------------------------


@dataclass
class Stats:
    """What a target saw: outcome class → count."""

    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


def _escaped(exc: BaseException) -> FuzzFailure:
    text = "".join(traceback.format_exception(exc))
    return FuzzFailure(f"{type(exc).__name__} escaped (not an RhrtError):\n{text}")


def _no_secret(secret: str, *texts: str) -> None:
    for text in texts:
        if secret in text:
            raise FuzzFailure(f"a planted case value leaked into: {text[:500]!r}")


def _error_text(exc: BaseException) -> str:
    """Everything a log line or traceback of this error would show."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + repr(exc.args)


SAMPLE_CASES = (
    {},
    {"child": {"age_months": 3}},
    {"child": {"unborn": True}},
)


def target_ruleset_loader(value: Any, stats: Stats | None = None) -> None:
    try:
        if isinstance(value, (str, bytes)):
            ruleset = rhrt.ruleset_from_text(value, file=FILE_NAME)
        else:
            ruleset = rhrt.ruleset_from_data(value)  # type: ignore[arg-type]
    except RulesetError as exc:
        if isinstance(value, (str, bytes)):
            if exc.file != FILE_NAME or any(p.file != FILE_NAME for p in exc.problems):
                raise FuzzFailure(f"ruleset error without its file: {exc}") from exc
            if isinstance(exc, (RulesetSchemaError, RulesetReferenceError)) and any(
                p.line is None or p.column is None for p in exc.problems
            ):
                raise FuzzFailure(f"schema/reference problem without line/column: {exc}") from exc
        if not str(exc):
            raise FuzzFailure("ruleset error with an empty message") from exc
        if stats is not None:
            stats.outcomes[type(exc).__name__] += 1
        return
    except RhrtError as exc:
        raise FuzzFailure(
            f"a ruleset problem raised {type(exc).__name__}, not RulesetError"
        ) from exc
    except Exception as exc:
        raise _escaped(exc) from exc
    # It loaded: the compiled plan must assess cases without surprises too.
    ids = [i.id for i in ruleset.model.indicators]
    try:
        for case in (*SAMPLE_CASES, {"indicators": ids}, {"indicators": ids[:1]}):
            decision = ruleset.assess(case)
            if not 1 <= decision.level <= 4:
                raise FuzzFailure(f"level {decision.level} out of range")
            decision.to_json()
    except FuzzFailure:
        raise
    except Exception as exc:
        raise _escaped(exc) from exc
    if stats is not None:
        stats.outcomes["loaded"] += 1


def target_case_parser(arg: tuple[Any, str, bool], stats: Stats | None = None) -> None:
    value, secret, checked = arg
    ruleset = minimal_ruleset()
    try:
        case = ruleset.validate_case(value)
    except CaseError as exc:
        if checked:
            _no_secret(secret, _error_text(exc))
        if not str(exc):
            raise FuzzFailure("case error with an empty message") from exc
        if stats is not None:
            stats.outcomes["CaseError"] += 1
        return
    except RhrtError as exc:
        raise FuzzFailure(f"a case problem raised {type(exc).__name__}, not CaseError") from exc
    except Exception as exc:
        raise _escaped(exc) from exc
    if checked:
        _no_secret(secret, repr(case), str(case), *(repr(i) for i in case.indicators))
    if stats is not None:
        stats.outcomes["valid"] += 1


def target_assess(arg: tuple[Any, Any, str, str, bool], stats: Stats | None = None) -> None:
    case, override, engine, secret, checked = arg
    ruleset = minimal_ruleset()
    try:
        decision = ruleset.assess(case, override=override, engine=engine)
    except CaseError as exc:
        if checked:
            _no_secret(secret, _error_text(exc))
        if stats is not None:
            stats.outcomes["CaseError"] += 1
        return
    except RhrtError as exc:
        if stats is not None:
            stats.outcomes[type(exc).__name__] += 1
        return
    except Exception as exc:
        raise _escaped(exc) from exc
    try:
        if not 1 <= decision.level <= 4:
            raise FuzzFailure(f"level {decision.level} out of range")
        record = decision.to_record()
        if record["notes"]:
            raise FuzzFailure("notes in a record made without include_notes")
        if checked:
            # Override reasons are recorded by design; notes, sources and references are not.
            text = json.dumps({k: v for k, v in record.items() if k != "override"})
            _no_secret(secret, text, repr(decision), str(decision))
        again = rhrt.Decision.from_json(decision.to_json(include_notes=True))
        if again != decision:
            raise FuzzFailure("a decision does not round-trip through JSON")
    except FuzzFailure:
        raise
    except Exception as exc:
        raise _escaped(exc) from exc
    if stats is not None:
        stats.outcomes["decided"] += 1


# -- the command line writing files -----------------------------------------------------------

OUT_KINDS = ("new", "existing", "input", "hardlink", "symlink", "missing-folder", "folder",
             "dev-full")
TEXT_SUFFIXES = (".txt", ".md", ".json", ".md.gz", ".txt.bz2", ".md.zst")
TABLE_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zst", ".parquet")
FORMULA = "=+-@\t\r"


@st.composite
def cli_output_inputs(draw: st.DrawFn) -> dict[str, Any]:
    secret = draw(secrets())
    command = draw(st.sampled_from(["assess", "render", "docs", "batch"]))
    broken = draw(st.booleans())
    refs = draw(st.lists(st.one_of(st.sampled_from(["=1+1", "+x", "-5", "@A1", "\tq", "ok"]),
                                   st.text(max_size=8)), min_size=1, max_size=4))
    return {
        "secret": secret,
        "command": command,
        "broken": broken,
        "out_kind": draw(st.sampled_from(OUT_KINDS)),
        "suffix": draw(st.sampled_from(TABLE_SUFFIXES if command == "batch" else TEXT_SUFFIXES)),
        "refs": [secret + r if i == 0 else r for i, r in enumerate(refs)],
        "keep_input": draw(st.booleans()),
    }


def _cli_input(folder: Path, scenario: dict[str, Any]) -> Path:
    secret, broken = scenario["secret"], scenario["broken"]
    if scenario["command"] == "batch":
        import csv as csv_module

        path = folder / "contacts.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv_module.writer(fh)
            writer.writerow(["case_ref", "age_years", "indicators"])
            for ref in scenario["refs"]:
                writer.writerow([ref, secret if broken else "3", "thriving"])
        return path
    if scenario["command"] == "docs":
        path = folder / "rules.yaml"
        path.write_text(minimal_text() + (f"\n{secret}: [" if broken else ""), encoding="utf-8")
        return path
    path = folder / "case.yaml"
    note = json.dumps(secret)
    body = f"child: {{age_years: 4}}\nindicators:\n  - {{id: thriving, note: {note}}}\n"
    path.write_text(body + (f"{secret}: [\n" if broken else ""), encoding="utf-8")
    return path


def _cli_out(folder: Path, source: Path, kind: str, suffix: str) -> Path | None:
    import os

    out = folder / f"out{suffix}"
    if kind == "existing":
        out.write_bytes(b"OLD")
    elif kind == "input":
        return source
    elif kind == "hardlink":
        os.link(source, out)
    elif kind == "symlink":
        out.symlink_to(source)
    elif kind == "missing-folder":
        return folder / "missing" / f"out{suffix}"
    elif kind == "folder":
        out.mkdir()
    elif kind == "dev-full":
        full = Path("/dev/full")
        return full if full.exists() else None
    return out


def _decompressed(path: Path) -> bytes:
    import bz2
    import gzip

    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        return gzip.decompress(raw)
    if path.name.endswith(".bz2"):
        return bz2.decompress(raw)
    if path.name.endswith(".zst"):
        import pyarrow as pa

        with pa.input_stream(str(path), compression="zstd") as stream:
            return bytes(stream.read())
    return raw


def target_cli_output(scenario: dict[str, Any], stats: Stats | None = None) -> None:
    import contextlib
    import io
    import tempfile

    from rhrt.cli import main

    if scenario["command"] == "batch":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            scenario = {**scenario, "command": "assess", "suffix": ".txt"}
    secret = scenario["secret"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = _cli_input(folder, scenario)
        before = source.read_bytes()
        out = _cli_out(folder, source, scenario["out_kind"], scenario["suffix"])
        if out is None:
            return
        old = out.read_bytes() if out.is_file() else None
        command = scenario["command"]
        if command == "docs":
            argv = ["docs", "--rules", str(source)]
        elif command == "batch":
            argv = ["batch", str(source), "--rules", str(MINIMAL), "--no-progress"]
            if scenario["keep_input"]:
                argv.append("--keep-input")
        else:
            argv = [command, str(source), "--rules", str(MINIMAL)]
        err, printed = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(printed):
                code = main([*argv, "--out", str(out)])
        except SystemExit as exc:  # argparse
            raise FuzzFailure(f"argparse refused {argv}: {exc}") from exc
        except Exception as exc:
            raise _escaped(exc) from exc
        message = err.getvalue()
        if code not in (0, 2):
            raise FuzzFailure(f"exit code {code} for {argv} --out {out}: {message}")
        if command != "docs":
            _no_secret(secret, message)
        if source.read_bytes() != before:
            raise FuzzFailure(f"the input was changed by {argv} --out {out}")
        left = [p.name for p in folder.rglob("*") if p.name.endswith(".rhrt-tmp")]
        if left:
            raise FuzzFailure(f"temporary files left behind: {left}")
        if code != 0:
            now = out.read_bytes() if out.is_file() else None
            if now != old:
                raise FuzzFailure(f"a failed run changed the output: {message}")
            if stats is not None:
                stats.outcomes[f"refused-{scenario['out_kind']}"] += 1
            return
        if scenario["out_kind"] in ("input", "hardlink", "symlink", "missing-folder", "folder",
                                    "dev-full"):
            raise FuzzFailure(f"{scenario['out_kind']} output accepted: {argv}")
        data = _decompressed(out)
        if out.name.endswith((".csv", ".csv.gz", ".csv.bz2", ".csv.zst")):
            import csv as csv_module

            rows = csv_module.reader(io.StringIO(data.decode("utf-8"), newline=""))
            for row in rows:
                for cell in row:
                    if cell[:1] and cell[:1] in FORMULA and not _number(cell):
                        raise FuzzFailure(f"a CSV cell a spreadsheet would run: {cell[:40]!r}")
        if stats is not None:
            stats.outcomes["written"] += 1


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# -- tables (batch) ------------------------------------------------------------------------------

_TABLE_FIELDS = (
    "case_ref", "age_years", "age_months", "date_of_birth", "assessment_date", "unborn",
    "gestation_weeks", "indicators", "consent", "recorded_decision", "referral_source",
    "dash_score", "ind:bruise", "ind:danger", "colour", "a note typed as a header",
)


def _arrow_types() -> list[Any]:
    import pyarrow as pa

    return [
        pa.int8(), pa.int32(), pa.int64(), pa.uint8(), pa.uint64(), pa.float16(), pa.float64(),
        pa.decimal128(20, 3), pa.string(), pa.large_string(), pa.binary(), pa.bool_(),
        pa.date32(), pa.date64(), pa.timestamp("s"), pa.timestamp("ns", tz="Europe/London"),
        pa.list_(pa.string()), pa.list_(pa.list_(pa.string())), pa.list_(pa.int64()),
        pa.struct([("x", pa.string())]), pa.dictionary(pa.int8(), pa.string()), pa.null(),
        pa.duration("s"), pa.time32("s"),
    ]


def pandas_or_arrow(columns: dict[str, Any], n: int) -> Any:
    """``columns`` (Arrow arrays, or lists of Python values) as a pandas DataFrame of ``n``
    rows; as an Arrow table when pandas cannot hold a value (e.g. a date32 of year 10183,
    which an integer cell read as days gives): the generator must not fail, and Arrow tables
    are fuzzed too."""
    import pandas as pd
    import pyarrow as pa

    try:
        return pd.DataFrame(
            {k: (v.to_pandas() if isinstance(v, (pa.Array, pa.ChunkedArray)) else v)
             for k, v in columns.items()},
            index=range(n),
        )
    except (ValueError, OverflowError, pa.ArrowException):
        return pa.table(columns)


@st.composite
def table_inputs(draw: st.DrawFn) -> tuple[Any, str, str]:
    """A table as pandas, polars or pyarrow: known, unknown and header-like column names,
    every Arrow type family, cells of any Python kind (a planted secret among the text)."""
    import pyarrow as pa

    secret = draw(secrets())
    n = draw(st.integers(0, 5))
    cell = st.one_of(
        st.none(), st.just(secret), st.just(secret + " note"), st.sampled_from(NASTY_STRINGS),
        st.integers(-(2**70), 2**70), st.floats(), st.booleans(), st.dates(), st.datetimes(),
        st.binary(max_size=8), st.lists(st.sampled_from(["bruise", "danger", secret]),
                                        max_size=3),
        st.sampled_from(["bruise", "danger;poor-diet", "given", "2011-05-02", "3", "1", ""]),
    )
    names = draw(st.lists(st.sampled_from(_TABLE_FIELDS), min_size=0, max_size=5, unique=True))
    kind = draw(st.sampled_from(["arrow", "pandas", "polars"]))
    columns: dict[str, Any] = {}
    for name in names:
        values = [draw(cell) for _ in range(n)]
        typ = draw(st.sampled_from(_arrow_types()))
        try:
            columns[name] = pa.array(values, typ)
        except Exception:  # values that do not fit the type: let Arrow choose, or give text
            try:
                columns[name] = pa.array(values)
            except Exception:
                columns[name] = pa.array([None if v is None else repr(v) for v in values])
        if kind == "pandas" and draw(st.booleans()):
            columns[name] = values  # an object column, as a spreadsheet import makes them
    table: Any
    if kind == "pandas":
        table = pandas_or_arrow(columns, n)
    else:
        arrow = pa.table(columns)
        if kind == "polars":
            try:
                import polars as pl

                table = pl.from_arrow(arrow)
            except Exception:  # a type polars cannot hold: fuzz the Arrow table itself
                table = arrow
        else:
            table = arrow
    return table, secret, kind


def target_tables(arg: tuple[Any, str, str], stats: Stats | None = None) -> None:
    """``assess_table`` and ``iter_cases`` + ``assess`` on any table: nothing but CaseError,
    no planted secret in an error, and both paths refuse or accept the table alike."""
    from rhrt.batch import assess_table, iter_cases

    table, secret, _kind = arg
    ruleset = minimal_ruleset()
    outcomes = []
    for run in (
        lambda: assess_table(table, ruleset),
        lambda: [ruleset.assess(case) for case in iter_cases(table, ruleset)],
    ):
        try:
            run()
        except CaseError as exc:
            _no_secret(secret, _error_text(exc))
            outcomes.append("CaseError")
        except Exception as exc:
            raise _escaped(exc) from exc
        else:
            outcomes.append("assessed")
    if outcomes[0] != outcomes[1]:
        raise FuzzFailure(f"batch {outcomes[0]} but assess row by row {outcomes[1]}")
    if stats is not None:
        stats.outcomes[outcomes[0]] += 1


@dataclass(frozen=True)
class Target:
    name: str
    strategy: Callable[[], st.SearchStrategy[Any]]
    run: Callable[[Any, Stats | None], None]


TARGETS: dict[str, Target] = {
    "ruleset-loader": Target("ruleset-loader", ruleset_inputs, target_ruleset_loader),
    "case-parser": Target("case-parser", case_inputs, target_case_parser),
    "assess": Target("assess", assess_inputs, target_assess),
    "cli-output": Target("cli-output", cli_output_inputs, target_cli_output),
}
if all(importlib.util.find_spec(m) is not None for m in ("numpy", "pyarrow", "pandas")):
    # batch needs the analysis extra; without it there is no table to fuzz
    TARGETS["tables"] = Target("tables", table_inputs, target_tables)
