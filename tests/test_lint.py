# SPDX-License-Identifier: MIT
"""``rhrt lint``: structural and solver-backed findings, severities, file:line, formats, exits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from rhrt import ruleset_from_data
from rhrt.cli import main
from rhrt.rules.lint import bands, lint

MINIMAL = Path(__file__).parent / "rulesets" / "minimal.yaml"


def _rule(rule_id: str, when: Any, **then: Any) -> dict[str, Any]:
    return {"id": rule_id, "because": "t", "when": when, "then": then}


def _data(*rules: dict[str, Any]) -> dict[str, Any]:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    for ind in data["indicators"]:
        ind["source"]["quote"] = "q"
    data["rules"] += list(rules)
    return data


MESSY = (
    _rule("da-medium", {"all": [{"tag": "da"}, {"measure": {"id": "dash_score", "at_least": 5}},
                                {"measure": {"id": "dash_score", "less_than": 10}}]}, level=3),
    _rule("da-overlap", {"all": [{"tag": "da"},
                                 {"measure": {"id": "dash_score", "at_least": 12}}]},
          level=3, pathways=["marac"]),
    _rule("tiny-baby", {"all": [{"tag": "injury"}, {"age": {"under_months": 3}}]}, level=4,
          pathways=["paediatric"]),
    _rule("never", {"count": {"at_least": 2, "level": 4}}, level=3),
    _rule("only-missing", {"all": [{"measure": {"id": "dash_score", "at_least": 20}},
                                   {"measure": {"id": "dash_score", "less_than": 10}}]}, level=2),
    _rule("offer-early-help", {"indicator": "poor-diet"}, pathways=["early-help"]),
)


def _messy_file(tmp_path: Path) -> tuple[Path, str]:
    data = _data(*MESSY)
    data["indicators"].append({"id": "poor-diet-again", "level": 2, "domain": "child",
                               "subdomain": "health", "text": "Inadequate  DIET.",
                               "source": {"ref": "test"}})
    data["pathways"].append({"id": "orphan", "title": "o", "what": "w", "timescale": "t",
                             "consent": "c"})
    text = yaml.safe_dump(data, sort_keys=False)
    path = tmp_path / "messy.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_every_kind_of_finding_with_severity_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("z3")
    path, text = _messy_file(tmp_path)
    assert main(["lint", str(path), "--format", "json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["semantic_checks"] is True
    got = {(f["code"], f["line"]) for f in report["findings"]}
    severity = {f["code"]: f["severity"] for f in report["findings"]}
    rule_line = {r["id"]: _line_of(text, f"- id: {r['id']}") for r in MESSY}
    assert ("dead-rule", rule_line["never"]) in got and severity["dead-rule"] == "error"
    assert ("fires-only-when-missing", rule_line["only-missing"]) in got
    assert ("subsumed-rule", rule_line["tiny-baby"]) in got
    assert ("conflict", rule_line["offer-early-help"]) in got
    assert ("band-gap", rule_line["da-overlap"]) in got
    assert ("band-overlap", _line_of(text, "- id: high-risk-da")) in got
    assert ("same-wording", _line_of(text, "- id: poor-diet-again")) in got
    start = _line_of(text, "- id: poor-diet-again")
    lines = text.splitlines()
    source_line = next(n for n in range(start, len(lines) + 1) if "ref: test" in lines[n - 1])
    assert [line for code, line in got if code == "source-without-reference"] == [source_line]
    assert ("unreachable-pathway", _line_of(text, "- id: orphan")) in got
    assert ("empty-cell", _line_of(text, "- id: child")) in got
    # rules that are fine are not named
    messages = " ".join(f["message"] for f in report["findings"])
    assert "'accumulation' adds nothing" not in messages


def test_exit_code_follows_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(_rule("only-missing", {"all": [
        {"measure": {"id": "dash_score", "at_least": 20}},
        {"measure": {"id": "dash_score", "less_than": 10}}]}, level=2))
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["lint", str(path), "--fail-on", "error"]) == 0
    assert main(["lint", str(path), "--fail-on", "never"]) == 0
    assert main(["lint", str(path)]) == 2
    capsys.readouterr()


def test_sarif_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = _messy_file(tmp_path)
    main(["lint", str(path), "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in ("error", "warning", "note")
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(path)
    dead = next(r for r in run["results"] if r["ruleId"] == "dead-rule")
    line = dead["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert line == _line_of(text, "- id: never")


def test_without_the_solver_structural_checks_run_and_it_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import rhrt.prove

    monkeypatch.setattr(rhrt.prove, "available", lambda: False)
    path, _ = _messy_file(tmp_path)
    assert main(["lint", str(path)]) == 2
    out = capsys.readouterr().out
    assert "skipped (needs: pip install 'rhrt[prove]')" in out
    assert "[dead-rule] rule 'never'" in out  # structural: too few level-4 indicators
    assert "[band-gap]" in out and "[same-wording]" in out
    assert "[subsumed-rule]" not in out


def test_bundled_ruleset_lints_clean(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("z3")
    assert main(["lint", "--fail-on", "info"]) == 0
    assert "0 findings" in capsys.readouterr().out


def test_invalid_ruleset_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("schema_version: 1\n", encoding="utf-8")
    assert main(["lint", str(path)]) == 2
    assert "bad.yaml" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("first", "second", "codes"),
    [
        ({"under_months": 12}, {"at_least_years": 2}, ["band-gap"]),
        ({"under_months": 12}, {"at_least_months": 12}, []),
        ({"under_months": 24}, {"at_least_months": 12}, ["band-overlap"]),
    ],
)
def test_age_bands(first: dict[str, Any], second: dict[str, Any], codes: list[str]) -> None:
    ruleset = ruleset_from_data(_data(
        _rule("young", {"all": [{"tag": "da"}, {"age": first}]}, level=2),
        _rule("older", {"all": [{"tag": "da"}, {"age": second}]}, level=3),
    ))
    found = [f.code for f in bands(ruleset.model, ruleset.plan)]
    assert found == codes


def test_bands_with_the_same_outcome_may_overlap_and_other_conditions_split_families() -> None:
    ruleset = ruleset_from_data(_data(
        _rule("a", {"all": [{"tag": "da"}, {"age": {"under_months": 24}}]}, level=3),
        _rule("b", {"all": [{"tag": "da"}, {"age": {"at_least_months": 12}}]}, level=3),
        _rule("c", {"all": [{"tag": "allegation"}, {"age": {"at_least_years": 10}}]}, level=2),
    ))
    assert bands(ruleset.model, ruleset.plan) == []


def test_validate_strict_uses_the_same_checks(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _messy_file(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert main(["validate", "--strict", str(path)]) == 2
    err = capsys.readouterr().err
    ruleset = ruleset_from_data(yaml.safe_load(path.read_text(encoding="utf-8")))
    for finding in lint(ruleset.model, ruleset.plan):
        assert str(finding) in err


# --- telephone numbers and email addresses must come from a source ----------------------------


def _unsourced(data: dict[str, Any]) -> list[str]:
    return [f.path for f in lint(ruleset_from_data(data).model)
            if f.code == "contact-detail-unsourced"]


def test_a_contacts_number_without_a_source_is_an_error() -> None:
    data = _data()
    data["contacts"]["mash"]["how"] = "Telephone 01234 567890 or email mash@example.org."
    found = [f for f in lint(ruleset_from_data(data).model)
             if f.code == "contact-detail-unsourced"]
    assert [f.path for f in found] == ["contacts.mash", "contacts.mash"]
    assert all(f.severity == "error" for f in found)


def test_a_contacts_number_quoted_from_its_source_is_accepted() -> None:
    data = _data()
    data["contacts"]["mash"]["how"] = "Telephone 01234-567890 or email MASH@example.org."
    data["contacts"]["mash"]["source"] = {
        "ref": "test", "quote": "Tel: 01234 567890, email: mash@example.org"}
    assert _unsourced(data) == []


def test_a_number_the_quote_does_not_give_is_an_error() -> None:
    data = _data()
    data["contacts"]["mash"]["how"] = "Telephone 01234 567891."  # one digit differs
    data["contacts"]["mash"]["source"] = {"ref": "test", "quote": "Tel: 01234 567890"}
    assert _unsourced(data) == ["contacts.mash"]


def test_a_pathway_may_repeat_its_contacts_sourced_number_but_a_level_may_not() -> None:
    data = _data()
    data["contacts"]["mash"]["source"] = {"ref": "test", "quote": "Tel: 01234 567890"}
    mash = next(p for p in data["pathways"] if p["id"] == "mash")
    mash["what"] = "Telephone the MASH on 01234 567890."
    data["levels"][3]["response"] = "Telephone 01234 567890."
    assert _unsourced(data) == ["levels[3]"]


def test_years_ranges_and_national_three_digit_numbers_are_not_contact_details() -> None:
    data = _data()
    data["contacts"]["mash"]["how"] = "In 2017-18, for ages 0-25, 8am-8pm: call 999, 101 or 111."
    assert _unsourced(data) == []


def test_the_bundled_ruleset_sources_every_contact() -> None:
    from rhrt import load_ruleset

    model = load_ruleset().model
    assert [k for k, c in model.contacts.items() if c.source is None] == []
    assert [f for f in lint(model) if f.code == "contact-detail-unsourced"] == []


def test_gather_item_split_by_a_flow_list_is_found() -> None:
    # Practice review: "gather: [the notification (date, police reference), ...]" reached
    # practitioners as two broken lines, "the notification (date" and "police reference)".
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    data["pathways"][0]["gather"] = yaml.safe_load("[the notice (date, reference), the child]")
    findings = lint(ruleset_from_data(data).model)
    assert [f.path for f in findings if f.code == "split-list-item"] == ["pathways[0].gather"]
    data["pathways"][0]["gather"] = ["the notice (date, reference)", "the child"]
    assert not [f for f in lint(ruleset_from_data(data).model) if f.code == "split-list-item"]
