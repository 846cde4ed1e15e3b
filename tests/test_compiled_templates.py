# SPDX-License-Identifier: MIT
"""Precompiled plain-text templates (issue 17): used only for the exact source they were
compiled from, up to date, and rendering exactly what compiling the template gives."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from unittest import mock

import jinja2
import pytest

import rhrt
from rhrt.render import _compiled, render_decision, render_pathway, render_referral
from rhrt.render.environment import TEMPLATES_DIR, environment

env_module = importlib.import_module("rhrt.render.environment")  # rhrt.render.environment is
# also the name of a function in rhrt.render

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "examples" / "cases").glob("*.yaml"))


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compile_templates", ROOT / "scripts" / "compile_templates.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fresh_environments() -> Iterator[None]:
    env_module._environment.cache_clear()
    yield
    env_module._environment.cache_clear()


def test_the_precompiled_modules_are_what_the_script_writes_now() -> None:
    if jinja2.__version__ != _compiled.JINJA2_VERSION:
        pytest.skip("compiled with another jinja2 (they are then not used)")
    script = _script()
    files = script.generate()
    on_disk = {
        p.relative_to(script.OUT).as_posix(): p.read_text(encoding="utf-8")
        for p in (*script.OUT.glob("*.py"), *script.OUT.glob("*/*.py"))
    }
    assert on_disk == files, "run scripts/compile_templates.py"
    # the template code is not a module: nothing that imports every module of rhrt finds it
    assert not (script.OUT / script.CODE / "__init__.py").exists()
    walked = {m.name for m in pkgutil.walk_packages(rhrt.__path__, "rhrt.")}
    assert "rhrt.render._compiled" in walked
    assert not any(name.startswith("rhrt.render._compiled.") for name in walked)
    assert set(_compiled.TEMPLATES) == {p.name for p in TEMPLATES_DIR.glob("*.text.j2")}


def test_the_precompiled_code_is_used_for_rhrts_own_text_templates() -> None:
    if jinja2.__version__ != _compiled.JINJA2_VERSION:
        pytest.skip("compiled with another jinja2 (they are then not used)")
    for name in _compiled.TEMPLATES:
        source = (TEMPLATES_DIR / name).read_text(encoding="utf-8")
        assert env_module._precompiled(name, "text", source) is not None, name
        # another source, another format or another jinja2: compiled from the source instead
        assert env_module._precompiled(name, "text", source + "x") is None
        assert env_module._precompiled(name, "markdown", source) is None
        with mock.patch.object(_compiled, "JINJA2_VERSION", "0.0"):
            assert env_module._precompiled(name, "text", source) is None
    assert env_module._precompiled("decision.markdown.j2", "markdown", "") is None


def _render_all() -> list[str]:
    rs = rhrt.load_ruleset()
    out = []
    for path in CASES:
        raw = path.read_bytes()
        try:
            case = rs.validate_case(raw)
        except rhrt.RhrtError:
            continue
        decision = rs.assess(case)
        out.append(render_decision(decision, rs, "text", case=case, include_notes=True))
        out.append(render_referral(case, decision, rs, "text"))
    for pathway in rs.model.pathways:
        out.append(render_pathway(pathway.id, rs, "text"))
    assert len(out) > 10
    return out


def test_rendering_is_the_same_precompiled_or_compiled(fresh_environments: None) -> None:
    precompiled = _render_all()
    template = environment("text").get_template("decision.text.j2")
    assert template.filename == str(TEMPLATES_DIR / "decision.text.j2")
    env_module._environment.cache_clear()
    with mock.patch.object(env_module, "_precompiled", return_value=None) as never:
        compiled = _render_all()
    assert never.called
    assert precompiled == compiled


def test_a_partnerships_own_template_is_used_before_the_precompiled_one(
    tmp_path: Path, fresh_environments: None
) -> None:
    (tmp_path / "decision.text.j2").write_text("OWN {{ level.number }}\n", encoding="utf-8")
    decision = rhrt.assess({"child": {"age_years": 8}})
    text = render_decision(decision, rhrt.load_ruleset(), "text", templates_dir=tmp_path)
    assert text == f"OWN {decision.level}\n"
