# SPDX-License-Identifier: MIT
"""Fingerprint every decision, batch output and rendered document, to prove a refactor changed
nothing (issue 13: "byte-identical before and after").

Usage::

    .venv/bin/python scripts/semantics_fingerprint.py [--cache DIR] [--population N]
        [--reference N] [--durable N]

Prints one ``sha256  name`` line per group, then ``TOTAL``. Run it on the commit before a change
and after it; every line must match. To run an older commit with the same inputs::

    git archive <commit> src data | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base/src .venv/bin/python scripts/semantics_fingerprint.py

Inputs are generated once into ``--cache`` (default ``/tmp/rhrt-fingerprint``) and reused, so
both runs see exactly the same cases even if the generators change in between:

* the bundled ruleset × ``examples/cases`` and ``tests/vignettes`` (reference decisions as JSON,
  durable decisions, each decision rendered as text/Markdown/HTML, referral drafts, the ruleset
  document);
* ``rhrt.synth`` itself (30k rows, seed 5, generated afresh each run);
* a synthetic population (``rhrt.synth``, seed 13, cached) through the batch engine in fast
  and default modes, file streaming to CSV, the audit report and a what-if impact report; the first
  ``--reference`` rows through the reference engine and ``--durable`` rows through durable;
* generated rulesets (``rhrt.testing.strategies.ruleset_data``, with and without ``not``) each
  with generated cases, through the reference, batch and durable engines;
* every rendered document (``--no-render`` leaves them out): each bundled pathway on its own,
  the ruleset summary, the notebook hooks (``_repr_html_``), the decision schema, the audit and
  what-if reports as HTML, the ``rhrt compare`` change log, and the command line's own output
  (``assess``, ``render``, ``docs``, ``batch``, ``audit``, ``diff``, ``compare``) run in-process
  on the example cases and a slice of the population.

The rendering functions are found in ``rhrt.render`` or, for commits before it, in
``rhrt.pathways.render``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
"""Where the example cases, vignettes and bundled data are read from: the checkout that the
imported ``rhrt`` belongs to (``main`` sets it), so a run on an older commit reads that commit's."""


class Sums:
    def __init__(self) -> None:
        self.groups: dict[str, Any] = {}
        self.counts: dict[str, int] = {}

    def add(self, group: str, item: str | bytes) -> None:
        h = self.groups.setdefault(group, hashlib.sha256())
        self.counts[group] = self.counts.get(group, 0) + 1
        h.update(item.encode() if isinstance(item, str) else item)
        h.update(b"\0")

    def report(self) -> None:
        total = hashlib.sha256()
        for name in sorted(self.groups):
            digest = self.groups[name].hexdigest()
            total.update(f"{name}={digest}\n".encode())
            print(f"{digest}  {name} ({self.counts[name]})")
        print(f"{total.hexdigest()}  TOTAL")


def _generated(cache: Path, count: int) -> list[dict[str, Any]]:
    """Generated rulesets with cases, as plain data (made once, then read from the cache)."""
    path = cache / "generated.json"
    if path.exists():
        return json.loads(path.read_text())  # type: ignore[no-any-return]
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from rhrt.ruleset import ruleset_from_data
    from rhrt.testing.strategies import cases, ruleset_data

    out: list[dict[str, Any]] = []

    @settings(max_examples=count, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(st.data(), st.booleans())
    def draw(data: st.DataObject, allow_not: bool) -> None:
        spec = data.draw(ruleset_data(max_indicators=10, max_rules=6, max_depth=3,
                                      allow_not=allow_not))
        ruleset = ruleset_from_data(spec)
        drawn = data.draw(st.lists(cases(ruleset), min_size=5, max_size=20))
        out.append({
            "ruleset": spec,
            "cases": [c.model_dump(mode="json", exclude_defaults=True) for c in drawn],
        })

    draw()
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, default=str))
    return out


def _population(cache: Path, n: int) -> Path:
    path = cache / f"population-{n}.parquet"
    if not path.exists():
        import pyarrow.parquet as pq

        from rhrt.synth import population

        cache.mkdir(parents=True, exist_ok=True)
        pq.write_table(population(n, seed=13), path)
    return path


def _table_digest(table: Any) -> str:
    h = hashlib.sha256()
    for name in table.column_names:
        h.update(name.encode())
        h.update(json.dumps(table.column(name).to_pylist(), default=str).encode())
    return h.hexdigest()


def _render_module() -> Any:
    """The rendering functions, wherever this commit keeps them."""
    import importlib

    for name in ("rhrt.render", "rhrt.pathways.render"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "render_decision"):
            return module
    raise SystemExit("no rendering module found")


def _referral(case: Any, decision: Any, ruleset: Any, fmt: str) -> str:
    """``render_referral`` (the same arguments before and after issue 13, which made the
    decision required)."""
    return str(_render_module().render_referral(case, decision, ruleset, fmt))


def _decisions(sums: Sums, prefix: str, ruleset: Any, items: list[tuple[str, Any]],
               *, render: bool, durable: bool) -> None:
    from rhrt.errors import RhrtError

    render_decision = _render_module().render_decision

    for name, case in items:
        try:
            parsed = ruleset.validate_case(case)
            decision = ruleset.assess(parsed)
        except RhrtError as exc:
            sums.add(f"{prefix}/reference", f"{name} error {type(exc).__name__} {exc}")
            continue
        sums.add(f"{prefix}/reference", decision.to_json(include_notes=True))
        if render:
            for fmt in ("text", "markdown", "html"):
                sums.add(f"{prefix}/render-{fmt}", render_decision(
                    decision, ruleset, fmt, include_notes=True))
                sums.add(f"{prefix}/referral-{fmt}", _referral(parsed, decision, ruleset, fmt))
        if durable:
            try:
                other = ruleset.assess(parsed, engine="durable")
                sums.add(f"{prefix}/durable", other.to_json(include_notes=True))
            except RhrtError as exc:
                sums.add(f"{prefix}/durable", f"{name} error {type(exc).__name__}")


def _batch(sums: Sums, prefix: str, ruleset: Any, table: Any) -> None:
    from rhrt.batch import assess_table

    for fast in (False, True):
        out = assess_table(table, ruleset, fast=fast, keep_input=False)
        sums.add(f"{prefix}/batch-{'fast' if fast else 'default'}", _table_digest(out))


def _cli(argv: list[str]) -> str:
    """The command line's standard output and exit code, run in-process."""
    import contextlib
    import io

    from rhrt.cli import main as cli_main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main([*argv, "--no-color"])
    return f"exit {code}\n{out.getvalue()}"


def _documents(sums: Sums, bundled: Any, changed: Any, table: Any,
               items: list[tuple[str, Any]]) -> None:
    """Every rendered document and the command line's output (see the module docstring)."""
    import yaml

    from rhrt import audit, compare, diff

    render = _render_module()
    for pathway in bundled.model.pathways:
        for fmt in ("text", "markdown", "html"):
            sums.add("documents/pathway", render.render_pathway(pathway.id, bundled, fmt))
    for fmt in ("markdown", "html"):
        sums.add("documents/ruleset-summary", render.render_ruleset(bundled, fmt, summary=True))
    sums.add("documents/ruleset-repr", bundled._repr_html_())
    for name, case in items:
        try:
            decision = bundled.assess(bundled.validate_case(case))
        except Exception as exc:  # the error's kind is what is fingerprinted
            sums.add("documents/decision-repr", f"{name} {type(exc).__name__}")
            continue
        sums.add("documents/decision-repr", decision._repr_html_())
    sums.add("documents/decision-schema", render.decision_schema_json())
    sums.add("documents/audit-html", audit.compare(table, bundled).to_html())
    sums.add("documents/impact-html", diff.impact(table, bundled, changed).to_html())
    sums.add("documents/compare", compare.to_markdown(
        bundled, changed, compare.ruleset_changes(bundled, changed)))

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        changed_path = root / "changed.yaml"
        changed_path.write_text(yaml.safe_dump(
            changed.model.model_dump(mode="json", by_alias=True, exclude_none=True)))
        small = root / "cases.parquet"
        import pyarrow.parquet as pq

        pq.write_table(table.slice(0, 3000), small)
        for case in sorted((ROOT / "examples" / "cases").glob("*.yaml")):
            for fmt in ("text", "json", "markdown", "html"):
                sums.add("cli/assess", _cli(["assess", str(case), "--format", fmt,
                                             "--include-notes"]))
            sums.add("cli/assess-override", _cli([
                "assess", str(case), "--override-level", "3", "--override-reason",
                "seen at home", "--override-role", "social worker"]))
            for fmt in ("text", "markdown", "html"):
                sums.add("cli/render", _cli(["render", str(case), "--format", fmt]))
        for fmt in ("markdown", "html"):
            sums.add("cli/docs", _cli(["docs", "--format", fmt]))
        sums.add("cli/docs", _cli(["docs", "--schema"]))
        out = root / "out.csv"
        sums.add("cli/batch", _cli(["batch", str(small), "--out", str(out), "--no-progress"]))
        sums.add("cli/batch", out.read_bytes())
        for fmt in ("markdown", "html"):
            report = root / f"audit.{fmt}"
            sums.add("cli/audit", _cli(["audit", str(small), "--format", fmt, "--out",
                                        str(report), "--no-progress"]))
            sums.add("cli/audit", report.read_bytes())
            report = root / f"diff.{fmt}"
            sums.add("cli/diff", _cli(["diff", str(ROOT / "data" / "levels_of_need.yaml"),
                                       str(changed_path), str(small), "--format", fmt,
                                       "--out", str(report), "--no-progress"]))
            sums.add("cli/diff", report.read_bytes())
        sums.add("cli/compare", _cli(["compare", str(ROOT / "data" / "levels_of_need.yaml"),
                                      str(changed_path), str(small)]))


def _batch_groups(sums: Sums, args: Any, bundled: Any) -> None:
    """Every batch output: the population through each table kind and mode, file streaming
    (CSV and Parquet, with and without the input kept), audit and what-if reports, the example
    cases and generated rulesets through batch, and the refusals of bad rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import yaml

    import rhrt
    from rhrt import audit, diff
    from rhrt.batch import assess_file, assess_table
    from rhrt.ruleset import ruleset_from_data
    from rhrt.synth import population

    sums.add("synth/population", _table_digest(population(30_000, seed=5)))
    pop_path = _population(args.cache, args.population)
    table = pq.read_table(pop_path)
    _batch(sums, "population", bundled, table)
    for fast in (False, True):
        kept = assess_table(table, bundled, fast=fast, keep_input=True)
        sums.add(f"population/keep-{fast}", _table_digest(kept))
        frame = assess_table(table.to_pandas(), bundled, fast=fast, keep_input=True)
        sums.add(f"population/pandas-{fast}", frame.to_csv(index=True))
        import polars as pl

        polars_out = assess_table(pl.from_arrow(table), bundled, fast=fast, keep_input=True)
        sums.add(f"population/polars-{fast}", _table_digest(polars_out.to_arrow()))
        batch = table.slice(0, 5_000).combine_chunks().to_batches()[0]
        sums.add(f"population/recordbatch-{fast}",
                 _table_digest(pa.Table.from_batches([assess_table(batch, bundled, fast=fast)])))
    with tempfile.TemporaryDirectory() as tmp:
        for name, keep, fast in (("out.csv", False, False), ("out.parquet", True, False),
                                 ("fast.csv", True, True)):
            out = Path(tmp) / name
            summary = assess_file(pop_path, out, bundled, chunk_rows=30_000, progress=False,
                                  keep_input=keep, fast=fast)
            body = out.read_bytes() if name.endswith(".csv") else _table_digest(
                pq.read_table(out)).encode()
            sums.add(f"population/stream-{name}-{keep}", body)
            sums.add(f"population/stream-summary-{name}",
                     json.dumps(summary.as_dict(), sort_keys=True))
    sums.add("population/audit", audit.compare(table, bundled).to_markdown())
    data = bundled.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for rule in data["rules"]:
        if rule["then"].get("level") == 3:
            rule["then"]["level"] = 2
    changed = ruleset_from_data(data)
    sums.add("population/impact", diff.impact(table, bundled, changed).to_markdown())
    # bad rows: each refusal's message and path (never a value), batch and streaming
    bad_cells = [("age_years", "x"), ("age_years", -3), ("indicators", "nope"),
                 ("gestation_weeks", 4), ("recorded_decision", 7), ("consent", "maybe")]
    for column, value in bad_cells:
        rows = table.slice(0, 50).to_pylist()
        for r in rows:
            r["consent"] = None
            cell = r.get(column)
            if isinstance(cell, list):
                cell = ";".join(cell)
            elif cell is not None and isinstance(value, str):
                cell = f"{cell:g}" if isinstance(cell, float) else str(cell)
            r[column] = cell
        rows[17][column] = value
        try:
            assess_table(pa.Table.from_pylist(rows), bundled)
            sums.add("refusals", f"{column} accepted")
        except rhrt.RhrtError as exc:
            sums.add("refusals", f"{column} {type(exc).__name__} {exc}")
    # example cases as one table
    rows_ = []
    for path in sorted((ROOT / "examples" / "cases").glob("*.yaml")):
        case = yaml.safe_load(path.read_text())
        child = case.get("child", {})
        rows_.append({"indicators": [i if isinstance(i, str) else i["id"]
                                     for i in case.get("indicators", [])],
                      "age_years": child.get("age_years"),
                      "unborn": bool(child.get("unborn", False))})
    try:
        sums.add("examples/batch", _table_digest(assess_table(pa.Table.from_pylist(rows_),
                                                              bundled)))
    except rhrt.RhrtError as exc:
        sums.add("examples/batch", f"error {type(exc).__name__} {exc}")
    for k, entry in enumerate(_generated(args.cache, args.generated)):
        try:
            ruleset = ruleset_from_data(entry["ruleset"])
        except rhrt.RhrtError:
            continue
        gen_table = pa.Table.from_pylist(_generated_rows(ruleset, entry["cases"]))
        try:
            _batch(sums, "generated", ruleset, gen_table)
        except rhrt.RhrtError as exc:
            sums.add("generated/batch-error", f"{k} {type(exc).__name__} {exc}")


def _generated_rows(ruleset: Any, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows_ = []
    for c in cases:
        child = c.get("child", {})
        row: dict[str, Any] = {
            "indicators": [i["id"] for i in c.get("indicators", [])],
            "unborn": bool(child.get("unborn", False)),
            "age_months": child.get("age_months", child["age_years"] * 12
                                    if "age_years" in child else None),
        }
        for ms in ruleset.plan.measures:
            row[ms] = c.get("measures", {}).get(ms)
        rows_.append(row)
    return rows_


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_cache = Path(tempfile.gettempdir()) / "rhrt-fingerprint"
    parser.add_argument("--cache", type=Path, default=default_cache)
    parser.add_argument("--population", type=int, default=100_000)
    parser.add_argument("--reference", type=int, default=10_000)
    parser.add_argument("--durable", type=int, default=1_000)
    parser.add_argument("--generated", type=int, default=150)
    parser.add_argument("--no-render", action="store_true",
                        help="leave out the rendered documents and command output")
    parser.add_argument("--batch-only", action="store_true",
                        help="only the batch groups (population, adapters, streaming, audit, "
                        "impact, generated rulesets through batch): no rendering or engines")
    args = parser.parse_args()

    import pyarrow as pa
    import pyarrow.parquet as pq
    import yaml

    import rhrt
    from rhrt import audit, diff
    from rhrt.batch import assess_file, iter_cases
    from rhrt.ruleset import ruleset_from_data

    render_ruleset = _render_module().render_ruleset

    global ROOT
    ROOT = Path(rhrt.__file__).resolve().parents[2]
    print(f"# rhrt from {Path(rhrt.__file__).parent}, data from {ROOT}", file=sys.stderr)
    sums = Sums()
    bundled = rhrt.load_ruleset()
    if args.batch_only:
        _batch_groups(sums, args, bundled)
        sums.report()
        return 0

    # 1. bundled ruleset × examples and vignettes
    items: list[tuple[str, Any]] = []
    for path in sorted((ROOT / "examples" / "cases").glob("*.yaml")):
        items.append((path.name, yaml.safe_load(path.read_text())))
    for path in sorted((ROOT / "tests" / "vignettes").glob("*.yaml")):
        for v in yaml.safe_load(path.read_text()) or []:
            items.append((v["id"], {"child": v.get("child", {}),
                                    "indicators": v.get("indicators", []),
                                    "measures": v.get("measures", {})}))
    _decisions(sums, "bundled", bundled, items, render=True, durable=True)
    for fmt in ("markdown", "html"):
        sums.add("bundled/ruleset-doc", render_ruleset(bundled, fmt))

    # 2. synthetic population (and the generator itself, uncached)
    from rhrt.synth import population

    sums.add("synth/population", _table_digest(population(30_000, seed=5)))
    pop_path = _population(args.cache, args.population)
    table = pq.read_table(pop_path)
    _batch(sums, "population", bundled, table)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.csv"
        summary = assess_file(pop_path, out, bundled, chunk_rows=30_000, progress=False)
        sums.add("population/stream-csv", out.read_bytes())
        sums.add("population/stream-summary", json.dumps(summary.as_dict(), sort_keys=True))
        import dataclasses

        timeless = dataclasses.replace(summary, seconds=0.0)  # the one wall-clock figure
        sums.add("population/stream-summary-text", timeless.to_text())
    sums.add("population/audit", audit.compare(table, bundled).to_markdown())
    data = bundled.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for rule in data["rules"]:
        if rule["then"].get("level") == 3:
            rule["then"]["level"] = 2  # a what-if: every level-3 rule lowered to 2
    changed = ruleset_from_data(data)
    sums.add("population/impact", diff.impact(table, bundled, changed).to_markdown())
    if not args.no_render:
        _documents(sums, bundled, changed, table, items)
    head = table.slice(0, max(args.reference, args.durable))
    rows = list(iter_cases(head, bundled))
    numbered = [(str(i), r) for i, r in enumerate(rows)]
    _decisions(sums, "population-ref", bundled, numbered[: args.reference], render=False,
               durable=False)
    _decisions(sums, "population-durable", bundled, numbered[: args.durable], render=False,
               durable=True)

    # 3. generated rulesets with generated cases
    for k, entry in enumerate(_generated(args.cache, args.generated)):
        try:
            ruleset = ruleset_from_data(entry["ruleset"])
        except rhrt.RhrtError as exc:
            sums.add("generated/load", f"{k} {type(exc).__name__}")
            continue
        cases = [(f"{k}.{i}", c) for i, c in enumerate(entry["cases"])]
        _decisions(sums, "generated", ruleset, cases, render=k % 10 == 0, durable=True)
        rows_ = []
        for _, c in cases:
            child = c.get("child", {})
            row: dict[str, Any] = {
                "indicators": [i["id"] for i in c.get("indicators", [])],
                "unborn": bool(child.get("unborn", False)),
                "age_months": child.get("age_months", child["age_years"] * 12
                                        if "age_years" in child else None),
            }
            for ms in ruleset.plan.measures:
                row[ms] = c.get("measures", {}).get(ms)
            rows_.append(row)
        gen_table = pa.Table.from_pylist(rows_)
        try:
            _batch(sums, "generated", ruleset, gen_table)
        except rhrt.RhrtError as exc:
            sums.add("generated/batch-error", f"{k} {type(exc).__name__} {exc}")
    sums.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
