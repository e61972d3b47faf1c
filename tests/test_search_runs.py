"""Pagefind's runs (search.Indexing): each run's entries are written while Pagefind reads the run before,
never more than a run ahead of those in flight, and removed once read."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from ksm_site import search

# Stands in for Pagefind: notes which runs' entry folders exist while it reads, takes its time, then
# writes a bundle with its entry file and notes when it finished.
FAKE_PAGEFIND = """
import json, os, sys, time
entries, out, log = sys.argv[1:]
inputs = os.path.dirname(entries)
seen = sorted(os.listdir(inputs))
time.sleep(0.3)
os.makedirs(out)
with open(os.path.join(out, "pagefind-entry.json"), "w") as f:
    json.dump({"run": os.path.basename(entries)}, f)
with open(log, "a") as f:
    f.write(json.dumps({"run": os.path.basename(entries), "seen": seen, "end": time.time()}) + "\\n")
"""


def test_entries_are_written_ahead_of_their_run_and_removed_after_it(tmp_path, monkeypatch):
    log = tmp_path / "log"
    monkeypatch.setattr(search, "pagefind_command",
                        lambda entries, out: [sys.executable, "-c", FAKE_PAGEFIND, entries, out, str(log)])
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    runs = {search.Run(part, lang): str(inputs / f"{part}-{lang}") for part in range(3) for lang in ("en", "id")}
    started: dict[str, float] = {}

    def prepare(run: search.Run) -> None:
        started[f"{run.part}-{run.lang}"] = time.time()
        os.makedirs(runs[run])
        (inputs / f"{run.part}-{run.lang}" / "0.html").write_text("<html></html>")

    done = [(run, data) for run, _, data in search.Indexing(runs, str(tmp_path / "scratch"), 1, prepare).each()]

    assert done == [(run, {"run": f"{run.part}-{run.lang}"}) for run in sorted(runs)]
    assert os.listdir(inputs) == []  # every run's entries went once Pagefind had read them
    ended = [json.loads(line) for line in log.read_text().splitlines()]
    names = [f"{run.part}-{run.lang}" for run in sorted(runs)]
    assert [e["run"] for e in ended] == names  # one at a time, in order
    for n, e in enumerate(ended):
        assert len(e["seen"]) <= 2  # its own entries and at most the next run's (jobs + 1)
        if n + 1 < len(names):
            assert started[names[n + 1]] < e["end"]  # the next run's entries were written meanwhile


PINNED_PAGEFIND = """
import json, os, sys, time
start = time.time()
entries, out, log = sys.argv[1:]
time.sleep(0.6)  # long enough for runs sent together to overlap on a busy machine
os.makedirs(out)
with open(os.path.join(out, "pagefind-entry.json"), "w") as f:
    json.dump({}, f)
with open(log, "a") as f:
    f.write(json.dumps({"run": os.path.basename(entries), "cpus": sorted(os.sched_getaffinity(0)),
                        "start": start, "end": time.time()}) + "\\n")
"""


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="the system cannot pin a process to a CPU")
def test_each_run_is_pinned_to_a_cpu_no_other_run_holds(tmp_path, monkeypatch):
    cpus = sorted(os.sched_getaffinity(0))
    log = tmp_path / "log"
    monkeypatch.setattr(search, "pagefind_command",
                        lambda entries, out: [sys.executable, "-c", PINNED_PAGEFIND, entries, out, str(log)])
    runs = {search.Run(part, lang): str(tmp_path / f"{part}-{lang}") for part in range(2) for lang in ("en", "id")}
    for folder in runs.values():
        os.makedirs(folder)

    indexing = search.Indexing(runs, str(tmp_path / "scratch"), 2)
    assert len(list(indexing.each())) == 4

    ended = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(e["run"] for e in ended) == sorted(f"{r.part}-{r.lang}" for r in runs)
    assert all(len(e["cpus"]) == 1 and e["cpus"][0] in cpus for e in ended)
    overlapping = [(a, b) for a in ended for b in ended if a["run"] < b["run"]
                   and a["start"] < b["end"] and b["start"] < a["end"]]
    if len(cpus) >= 2:
        assert overlapping  # two at a time
        assert all(a["cpus"] != b["cpus"] for a, b in overlapping)  # each on a CPU of its own
    assert sorted(indexing.cpus) == cpus  # every CPU given back


# Stands in for Pagefind: the English run takes longer than the Indonesian one.
UNEVEN_PAGEFIND = """
import json, os, sys, time
entries, out = sys.argv[1:]
time.sleep(1.5 if entries.endswith("en") else 0.1)
os.makedirs(out)
with open(os.path.join(out, "pagefind-entry.json"), "w") as f:
    json.dump({}, f)
"""


def test_a_run_is_taken_in_as_soon_as_it_is_done_not_after_those_before_it(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "pagefind_command",
                        lambda entries, out: [sys.executable, "-c", UNEVEN_PAGEFIND, entries, out])
    runs = {search.Run(0, lang): str(tmp_path / f"0-{lang}") for lang in ("en", "id")}
    for folder in runs.values():
        os.makedirs(folder)

    done = [run.lang for run, _, _ in search.Indexing(runs, str(tmp_path / "scratch"), 2).each()]

    assert done == ["id", "en"]  # English comes first in order, but ends last
