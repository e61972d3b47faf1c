"""Pagefind's runs in a build (``engine/search_runs.Indexing``): each run's entries are written while
Pagefind reads the run before, never more than a run ahead; runs go side by side, each on a CPU of its
own; each is taken in as soon as it ends. Pagefind is stood in for by a script (``search.pagefind_command``
is the seam) that notes events in a log and waits for the events it needs, so the order is shown by the
events, never by the clock."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ksm_site.engine.search_runs import Indexing
from ksm_site.site import search

WAIT = """
import json, os, sys, time

def note(log, **event):
    with open(log, "a") as f:
        f.write(json.dumps(event) + "\\n")

def seen(log, test):
    with open(log) as f:
        return any(test(json.loads(line)) for line in f)

def wait_for(log, test):
    for _ in range(2000):  # 20 s: far longer than the other side needs
        if seen(log, test):
            return True
        time.sleep(0.01)
    return False

def finish(out):
    os.makedirs(out)
    with open(os.path.join(out, "pagefind-entry.json"), "w") as f:
        json.dump({"run": os.path.basename(out)}, f)
"""

AHEAD = WAIT + """
entries, out, log = sys.argv[1:]
run = os.path.basename(out)
note(log, event="start", run=run, entries=sorted(os.listdir(entries)))
following = {"bundle-0-en": "1-en", "bundle-1-en": "2-en"}.get(run)
waited = following is None or wait_for(log, lambda e: e == {"event": "prepare", "run": following})
finish(out)
note(log, event="end", run=run, waited=waited)
"""


def fake_pagefind(monkeypatch, script: str, log) -> None:
    monkeypatch.setattr(search, "pagefind_command",
                        lambda entries, out: [sys.executable, "-c", script, entries, out, str(log)])


def events(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def note(log, **event) -> None:
    with open(log, "a") as f:
        f.write(json.dumps(event) + "\n")


def test_entries_are_written_ahead_of_their_run_and_removed_after_it(tmp_path, monkeypatch):
    """One job: while Pagefind reads a run, the next run's entries are written (the fake waits to see that
    happen before it ends), and at most one run beyond those in flight is prepared."""
    log = tmp_path / "log"
    log.touch()
    fake_pagefind(monkeypatch, AHEAD, log)
    runs = [search.Run(part, "en") for part in range(3)]
    folders = []

    def prepare(run: search.Run, folder: str) -> None:
        folders.append(folder)
        search.write_entries(folder, [f"<html>{run.part}</html>".encode()])
        note(log, event="prepare", run=f"{run.part}-{run.lang}")

    done = [(run, data) for run, _, data in Indexing(runs, str(tmp_path / "scratch"), 1, prepare).each()]

    assert done == [(run, {"run": f"bundle-{run.part}-en"}) for run in runs]
    assert not any(os.path.exists(folder) for folder in folders)  # each went once Pagefind had read it
    seen = events(log)
    assert [e["run"] for e in seen if e["event"] == "end"] == ["bundle-0-en", "bundle-1-en", "bundle-2-en"]
    assert all(e["waited"] for e in seen if e["event"] == "end")  # the next run was prepared meanwhile
    assert all(e["entries"] == ["0.html"] for e in seen if e["event"] == "start")
    in_flight = 0
    for e in seen:
        in_flight += {"prepare": 1, "end": -1}.get(e["event"], 0)
        assert in_flight <= 2  # its own entries and at most the next run's (jobs + 1)


PINNED = WAIT + """
entries, out, log = sys.argv[1:]
run = os.path.basename(out)
note(log, event="start", run=run, cpus=sorted(os.sched_getaffinity(0)))
other = wait_for(log, lambda e: e["event"] == "start" and e["run"] != run)
finish(out)
note(log, event="end", run=run, other=other)
"""


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="the system cannot pin two processes to CPUs of their own")
def test_runs_go_two_at_a_time_each_on_a_cpu_of_its_own(tmp_path, monkeypatch):
    cpus = sorted(os.sched_getaffinity(0))
    log = tmp_path / "log"
    log.touch()
    fake_pagefind(monkeypatch, PINNED, log)
    runs = [search.Run(0, lang) for lang in ("en", "id")]

    indexing = Indexing(runs, str(tmp_path / "scratch"), 2,
                        lambda run, folder: search.write_entries(folder, [b"<html></html>"]))
    assert len(list(indexing.each())) == 2

    seen = events(log)
    starts = [e for e in seen if e["event"] == "start"]
    assert all(e["other"] for e in seen if e["event"] == "end")  # each saw the other start: side by side
    assert all(len(e["cpus"]) == 1 and e["cpus"][0] in cpus for e in starts)
    assert starts[0]["cpus"] != starts[1]["cpus"]  # each on a CPU of its own
    assert sorted(indexing.cpus) == cpus  # every CPU given back


UNEVEN = WAIT + """
entries, out, log = sys.argv[1:]
if out.endswith("en"):  # English comes first in order, and ends only once Indonesian was taken in
    note(log, event="waited", ok=wait_for(log, lambda e: e == {"event": "taken", "run": "id"}))
finish(out)
"""


def test_a_run_is_taken_in_as_soon_as_it_is_done_not_after_those_before_it(tmp_path, monkeypatch):
    log = tmp_path / "log"
    log.touch()
    fake_pagefind(monkeypatch, UNEVEN, log)
    runs = [search.Run(0, lang) for lang in ("en", "id")]
    done = []
    for run, _, _ in Indexing(runs, str(tmp_path / "scratch"), 2,
                              lambda run, folder: search.write_entries(folder, [b"<html></html>"])).each():
        done.append(run.lang)
        note(log, event="taken", run=run.lang)

    assert done == ["id", "en"]
    assert {"event": "waited", "ok": True} in events(log)
