# SPDX-License-Identifier: MIT
"""The built wheel and sdist carry what they need and work on their own.

Builds the wheel, installs it into a fresh virtualenv (not the checkout), and runs
``rhrt assess`` there on an example case; builds the sdist, installs it into a fresh virtualenv
and runs the tests it ships from the unpacked sdist (not the checkout). Checks the metadata a
package index shows: the licence, classifiers, and a long description without relative links.
"""

from __future__ import annotations

import email
import hashlib
import re
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _build(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build one distribution (``wheel`` or ``sdist``) of the checkout; its one file."""
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp(kind)
    subprocess.run(
        [sys.executable, "-m", "build", f"--{kind}", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("rhrt-*.whl" if kind == "wheel" else "rhrt-*.tar.gz")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("wheel", tmp_path_factory)


def test_wheel_holds_an_identical_copy_of_the_bundled_ruleset(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        packaged = zf.read("rhrt/_data/levels_of_need.yaml")
    original = (ROOT / "data" / "levels_of_need.yaml").read_bytes()
    assert hashlib.sha256(packaged).digest() == hashlib.sha256(original).digest()
    assert "rhrt/py.typed" in names
    assert any(n.startswith("rhrt/render/templates/") for n in names)


@pytest.mark.slow
def test_installed_wheel_assesses_an_example_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True)
    example = ROOT / "examples" / "cases" / "level4-non-mobile-bruising.yaml"
    result = subprocess.run(
        [str(venv / "bin" / "rhrt"), "assess", str(example), "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: the bundled ruleset must come from the wheel
    )
    assert '"level": 4' in result.stdout


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(zf.read(name))


def test_wheel_carries_the_licence(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        (licence,) = [n for n in zf.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert zf.read(licence) == (ROOT / "LICENSE").read_bytes()
    meta = _metadata(wheel)
    assert meta["License-Expression"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_metadata_has_python_status_and_topic_classifiers(wheel: Path) -> None:
    classifiers = _metadata(wheel).get_all("Classifier") or []
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert any(c.startswith("Topic ::") for c in classifiers)
    assert "Programming Language :: Python :: 3.11" in classifiers
    # every listed version satisfies Requires-Python
    floor = tuple(int(x) for x in _metadata(wheel)["Requires-Python"].lstrip(">=").split("."))
    for c in classifiers:
        found = re.fullmatch(r"Programming Language :: Python :: (\d+)\.(\d+)", c)
        if found:
            assert (int(found[1]), int(found[2])) >= floor, c


# A Markdown link or image whose target is neither absolute nor an in-page anchor.
RELATIVE_LINK = re.compile(r"\]\((?!https?://|#|mailto:)[^)]*\)")


def test_long_description_has_no_relative_links(wheel: Path) -> None:
    meta = _metadata(wheel)
    assert meta["Description-Content-Type"] == "text/markdown"
    body = meta.get_payload()
    assert isinstance(body, str)
    assert "Right Help, Right Time" in body
    assert RELATIVE_LINK.search((ROOT / "README.md").read_text(encoding="utf-8")), (
        "the README has relative links, so this test can see them removed"
    )
    assert not RELATIVE_LINK.search(body), RELATIVE_LINK.findall(body)


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("sdist", tmp_path_factory)


def test_sdist_ships_what_its_tests_read(sdist: Path) -> None:
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    for needed in ("LICENSE", "fuzz/targets.py", "bench/run.py", "tests/conftest.py"):
        assert needed in names, needed
    assert not any("__pycache__" in n for n in names)


@pytest.mark.slow
def test_sdist_installs_in_a_fresh_venv_and_its_tests_pass(sdist: Path, tmp_path: Path) -> None:
    """The user's path: unpack the sdist, install it with its testing extra, run its tests.

    Runs the sdist's quick tests (not its slow ones, which include this one) against the
    installed package: the unpacked tree has no ``src`` on the path.
    """
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp_path, filter="data")
    (tree,) = [p for p in tmp_path.iterdir() if p.name.startswith("rhrt-")]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"{sdist}[testing]",
        ],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-x", "-m", "not slow", "-p", "no:cacheprovider"],
        cwd=tree,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    where = subprocess.run(
        [python, "-c", "import rhrt; print(rhrt.__file__)"],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(venv) in where.stdout  # the installed sdist was tested, not a checkout
