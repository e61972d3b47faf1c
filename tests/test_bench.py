"""The benchmark's memory sampler (bench/scale.py): it finds the whole tree and the peak, and
reads the costly PSS only when the peak could rise."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bench.scale import PREVIOUS, TreeMemory, clear_previous, code_digest, set_aside, tree_pids

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
    monkeypatch.setattr(TreeMemory, "_pss_mb", staticmethod(lambda pid: read.append(pid) or 0.0))
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
    for name, text in (("build.py", "main()"), ("ksm_site/pipeline.py", "x = 1"), ("templates/base.html", "<p>")):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    before = code_digest(tmp_path)
    (tmp_path / "ksm_site/__pycache__").mkdir()
    (tmp_path / "ksm_site/__pycache__/pipeline.cpython-311.pyc").write_bytes(b"compiled")
    assert code_digest(tmp_path) == before
    for name in ("ksm_site/pipeline.py", "templates/base.html"):
        (tmp_path / name).write_text((tmp_path / name).read_text() + " ")
        assert code_digest(tmp_path) != before
        before = code_digest(tmp_path)
