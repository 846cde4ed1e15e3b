# SPDX-License-Identifier: MIT
"""Coverage-guided fuzzing of one rhrt target with atheris (libFuzzer).

    python fuzz/atheris_target.py TARGET CORPUS_DIR [libFuzzer flags, e.g. -runs=100000]

Run by ``fuzz/run.py --engine atheris``. The input bytes are the document itself (a ruleset for
``ruleset-loader``, a case for ``case-parser`` and ``assess``); the corpus is seeded with valid
documents so libFuzzer mutates from inputs that get deep into the pipeline. Any exception other
than ``rhrt.errors.RhrtError`` (or a broken contract, ``FuzzFailure``) is a crash.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

with atheris.instrument_imports(include=["rhrt"]):
    import targets

SECRET = "S3CRETabcdefghijklmnopqrstuvwxyz0123456789"


def _seed(corpus: Path, name: str) -> None:
    if name == "ruleset-loader":
        seeds = [
            targets.minimal_text().encode(),
            json.dumps(targets._minimal_data(), default=str).encode(),
            b'a0: &a0 ["lol"]\na1: &a1 [*a0, *a0]\nx: {<<: {k: v}}\n',
        ]
    else:
        note = {"id": "bruise", "note": SECRET, "source": "school"}
        seeds = [
            b"child: {age_months: 3}\nindicators: [bruise, poor-diet]\n",
            json.dumps(
                {
                    "child": {"age_years": 8},
                    "indicators": [note, "da-incidents"],
                    "measures": {"dash_score": 15},
                    "consent": "given",
                }
            ).encode(),
            b"child: {date_of_birth: 2020-01-01}\nassessment_date: 2024-02-29\nindicators: []\n",
            b"child: {unborn: true, gestation_weeks: 30}\nindicators: [{id: danger, note: x}]\n",
        ]
    for i, seed in enumerate(seeds):
        (corpus / f"seed-{i}").write_bytes(seed)


def main() -> None:
    name = sys.argv[1]
    corpus = Path(sys.argv[2])
    _seed(corpus, name)

    def one_input(data: bytes) -> None:
        if name == "ruleset-loader":
            targets.target_ruleset_loader(data)
        elif name == "case-parser":
            # libFuzzer can move the seeded note anywhere (even into a key, which is echoed as
            # a field path), so only the "nothing but RhrtError escapes" contract is checked.
            targets.target_case_parser((data, SECRET, False))
        else:
            targets.target_assess((data, None, "reference", SECRET, False))

    atheris.Setup([sys.argv[0], str(corpus), *sys.argv[3:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
