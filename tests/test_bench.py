"""The benchmark (bench/scale.py, bench/charts.py): the memory sampler finds the whole tree and the
peak, and reads the costly PSS only when the peak could rise; the naive baseline counts the area pages
a build makes and draws an area page's five charts."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import bench.charts
from bench.charts import naive_area_charts, sample_areas, scored_groups
from bench.scale import (
    PREVIOUS, WILAYAH, TreeMemory, area_pages, clear_previous, code_digest, group_files, set_aside, tree_pids,
)
from bench.synthetic import write_programme
from ksm_site.engine.build import build

from conftest import TODAY

# A child that starts a grandchild from a thread (as the build starts Pagefind), then holds 120 MB
# until told to let go of it; it says "ready" and "freed", and stays until its stdin closes.
CHILD = """
import subprocess, sys, threading
grandchild, started, end = [], threading.Event(), threading.Event()

def start():  # the thread lives on: the grandchild stays its child, not the main thread's
    grandchild.append(subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE))
    started.set()
    end.wait()

threading.Thread(target=start, daemon=True).start()
started.wait()
held = bytearray(120 * 2**20)
for i in range(0, len(held), 4096):
    held[i] = 1
print("ready", grandchild[0].pid, flush=True)
sys.stdin.readline()
del held
print("freed", flush=True)
sys.stdin.readline()
grandchild[0].stdin.close(); grandchild[0].wait(); end.set()
"""


@pytest.fixture
def child():
    process = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def test_the_tree_holds_a_grandchild_started_from_a_thread(child):
    word, grandchild = child.stdout.readline().split()
    assert word == "ready"
    assert set(tree_pids(child.pid)) == {child.pid, int(grandchild)}


def test_the_peak_is_seen_and_a_smaller_tree_reads_no_pss(child, monkeypatch):
    assert child.stdout.readline().startswith("ready")
    memory = TreeMemory(child.pid)
    memory.sample()
    assert 120 <= memory.peak_mb < 250

    child.stdin.write("\n")
    child.stdin.flush()
    assert child.stdout.readline() == "freed\n"
    read = []
    monkeypatch.setattr(TreeMemory, "pss_mb", staticmethod(lambda pid: read.append(pid) or 0.0))
    peak = memory.peak_mb
    memory.sample()
    assert read == [] and memory.peak_mb == peak  # its RSS is below the peak: PSS could not be higher


def test_the_sampler_runs_beside_a_process_and_stops_with_it(child):
    assert child.stdout.readline().startswith("ready")
    with TreeMemory(child.pid) as memory:
        time.sleep(0.3)
    assert memory.peak_mb >= 120
    assert not memory.thread.is_alive()


def test_a_costly_sample_spaces_the_next_ones_out():
    assert TreeMemory.wait_after(0.001) == TreeMemory.INTERVAL
    assert TreeMemory.wait_after(0.040) == pytest.approx(0.040 / TreeMemory.BUDGET)


def test_an_earlier_run_is_set_aside_and_deleted_after_measuring(tmp_path):
    earlier = tmp_path / "n1000"
    (earlier / "output").mkdir(parents=True)
    (earlier / "output" / "index.html").write_text("earlier")
    set_aside(earlier, tmp_path)
    assert not earlier.exists()  # the new run starts in an empty folder
    kept = list((tmp_path / PREVIOUS).glob("*/n1000/output/index.html"))
    assert [p.read_text() for p in kept] == ["earlier"]  # nothing deleted while measuring
    earlier.mkdir()
    set_aside(earlier, tmp_path)  # a second one goes beside the first
    assert len(list((tmp_path / PREVIOUS).glob("*/n1000"))) == 2
    set_aside(tmp_path / "n10000", tmp_path)  # nothing there: nothing to do
    clear_previous(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_code_digest_sees_an_edit_of_the_code_or_a_template_and_not_bytecode(tmp_path):
    """The benchmark refuses to report builds that ran different code (checked at its start and end)."""
    for name, text in (("build.py", "main()"), ("ksm_site/engine.py", "x = 1"), ("templates/base.html", "<p>")):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    before = code_digest(tmp_path)
    (tmp_path / "ksm_site/__pycache__").mkdir()
    (tmp_path / "ksm_site/__pycache__/engine.cpython-311.pyc").write_bytes(b"compiled")
    assert code_digest(tmp_path) == before
    for name in ("ksm_site/engine.py", "templates/base.html"):
        (tmp_path / name).write_text((tmp_path / name).read_text() + " ")
        assert code_digest(tmp_path) != before
        before = code_digest(tmp_path)


def test_the_area_pages_counted_are_those_a_build_makes(tmp_path):
    """The naive baseline charges each group its share of the pages with the five area charts: the index
    and every area's page (``urls.area_path``: wilayah/<slugs>/index.html)."""
    content = write_programme(tmp_path / "content", 30, seed=1)
    # a kelurahan spelt in capitals beside its own groups: another area, and another page
    files = group_files(content)
    kelurahan = [WILAYAH.search(p.read_text()).group(3) for p in files]
    shared = next(i for i, name in enumerate(kelurahan) if kelurahan.count(name) > 1)
    files[shared].write_text(files[shared].read_text().replace(f"  kelurahan: {kelurahan[shared]}\n",
                                                               f"  kelurahan: {kelurahan[shared].upper()}\n"))
    build(str(content), str(tmp_path / "out"), TODAY, jobs=1)
    made = [tmp_path / "out" / "index.html", *(tmp_path / "out" / "wilayah").glob("*/**/index.html")]
    assert all(p.is_file() for p in made)
    assert area_pages(content) == len(made)


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    """A small synthetic programme and its groups, scored: (content, (figures, groups, extent))."""
    content = write_programme(tmp_path_factory.mktemp("programme") / "content", 30, seed=1)
    return content, scored_groups(content)


def test_the_area_sample_is_the_index_then_areas_spread_over_the_rest(programme):
    content, (figures, groups, extent) = programme
    pages = area_pages(content)
    names = [name for _, name in sample_areas(figures, groups, extent, pages)]
    assert names[0] == figures.lang._("the whole programme")
    assert len(set(names)) == pages  # room for all of them: each area once
    assert [name for _, name in sample_areas(figures, groups, extent, 3)] == [names[0], names[1],
                                                                               names[1 + (pages - 1) // 2]]


def test_the_naive_area_charts_are_five_figures_saved_as_svg(programme, monkeypatch):
    _, (figures, groups, extent) = programme
    (analysis, name), = sample_areas(figures, groups, extent, 1)
    saved = []
    svg_bytes = bench.charts.svg_bytes

    def saving(fig, title=None) -> int:
        saved.append((title, svg_bytes(fig, title)))
        return saved[-1][1]

    monkeypatch.setattr(bench.charts, "svg_bytes", saving)
    written = naive_area_charts(figures, analysis, name, extent)
    assert [title for title, _ in saved] == [name] * 5
    assert all(size > 5_000 for _, size in saved)  # a whole chart each, frame and data
    assert written == sum(size for _, size in saved)
