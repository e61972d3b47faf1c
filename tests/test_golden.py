"""The sample builds to exactly the committed golden files (see tests/golden.py to regenerate)."""

from __future__ import annotations

import pytest

from golden import FILES, GOLDEN, build_sample


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden") / "out"
    build_sample(out)
    return out


@pytest.mark.parametrize("relpath", FILES)
def test_sample_output_matches_golden(built, relpath):
    expected = (GOLDEN / relpath).read_bytes()
    actual = (built / relpath).read_bytes()
    assert actual == expected, f"{relpath} differs; if intended, run: .venv/bin/python tests/golden.py"
