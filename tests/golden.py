"""The golden files: a few outputs of the sample build, committed so changes show up in review.

Regenerate after an intended change to the sample, the templates or the
scoring, then read the diff before committing:

    .venv/bin/python tests/golden.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
FILES = (
    "data/groups.json",
    "data/groups.csv",
    "data/penilaian.csv",
    "data/datapackage.json",
    "index.html",
    "kelompok/kab-madiun/mejayan/ksm-mekar-sari/index.html",
    "en/kelompok/kab-madiun/mejayan/ksm-mekar-sari/index.html",
    "metodologi/index.html",
    "perlu-perhatian/index.html",
    "nilai/index.html",
    "data/rubrik.json",
)


def build_sample(out: Path) -> None:
    import datetime as dt

    from ksm_site.engine.build import build
    build(str(ROOT / "content"), str(out), dt.date(2026, 1, 1), jobs=1)


def update() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        build_sample(out)
        for relpath in FILES:
            target = GOLDEN / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((out / relpath).read_bytes())
    print(f"updated {len(FILES)} golden files in {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    update()
