"""The engine makes the site ``make_site`` says it is, byte for byte: cold and incremental, with one job
and with several, on the sample and on generated programmes (the same examples on every run, so a run
on a busy CI machine tries what the last one did).

``site.make.make_site`` is the site, made plainly in memory; ``engine.build``
makes the same files from a cache and a pool of workers. Every file the
engine writes must be one ``make_site`` makes, with the same bytes, and
every file ``make_site`` makes must be written.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import write_programme
from ksm_site.content.read import read_content
from ksm_site.engine.build import build
from ksm_site.engine.tuning import Tuning
from ksm_site.site.make import make_site

from conftest import CONTENT, TODAY, files_under
from test_incremental import CHANGES

POOL = Tuning(pool_min=2)
"""Small enough that a small programme is made in worker processes too."""


def made(content: Path, as_of: dt.date | None = None) -> dict[str, bytes]:
    return make_site(read_content(str(content), TODAY), as_of)


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_sample_built_equals_the_site_made_plainly(tmp_path, jobs):
    build(str(CONTENT), str(tmp_path / "out"), TODAY, jobs=jobs, cache_dir=str(tmp_path / "cache"), tuning=POOL)
    assert files_under(tmp_path / "out") == made(CONTENT)


_examples = itertools.count()


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=st.integers(8, 16), seed=st.integers(0, 10_000), jobs=st.sampled_from([1, 2]),
       change=st.sampled_from(CHANGES), as_of=st.sampled_from([None, dt.date(2023, 6, 30)]))
def test_a_generated_programme_built_cold_and_again_equals_the_site_made_plainly(tmp_path, groups, seed, jobs,
                                                                                 change, as_of):
    root = tmp_path / f"example-{next(_examples)}"
    content = write_programme(root / "content", groups, seed)
    out, cache = root / "out", root / "cache"
    build(str(content), str(out), TODAY, as_of=as_of, jobs=jobs, cache_dir=str(cache), tuning=POOL)
    assert files_under(out) == made(content, as_of)
    change(content)
    build(str(content), str(out), TODAY, as_of=as_of, jobs=jobs, cache_dir=str(cache), tuning=POOL)
    assert files_under(out) == made(content, as_of)
    shutil.rmtree(root)
