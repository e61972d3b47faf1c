"""Speed and scale: builds of N synthetic groups, cold and again, against a naive chart baseline.

    .venv/bin/python bench/scale.py                 # N = 1,000, 10,000 and 100,000 (takes a while)
    .venv/bin/python bench/scale.py --quick         # N = 100 and 1,000, one repeat: a smoke test
    .venv/bin/python bench/scale.py --sizes 2000 --results /tmp/r.md
    .venv/bin/python bench/scale.py --sizes 1000,10000 --baseline /tmp/before   # this code against another

For each N it writes a synthetic programme (``bench/synthetic.py``, seed 1)
and runs ``build.py build`` as a subprocess, timed from outside, with
``ksm_site`` byte-compiled first as an installed program would be:

* **cold**: no output folder, an empty cache;
* **no change**: the same content again (median and worst of the repeats);
* **one-file edit**: one indicator level in one group's latest assessment
  changed (a different group each repeat), so the group's score, stage,
  rows, its areas' analyses and the data files change; no date moves;
* **as-of edit** (not at the largest N unless ``--as-of-edit``): a new
  assessment dated after every other, which moves the as-of date that
  every page shows, so every page is rendered again;
* **CI**: a push as CI builds it, with the build cache restored but no
  output folder (a runner starts empty): one more level edited, the output
  folder and its spare moved away, then a build, which renders the edit and
  writes every other file from the cache.

Peak memory is ``ru_maxrss`` of the build's process tree as ``wait4``
reports it, which is the largest single process (the main process or one
worker), and, sampled from ``/proc`` (``TreeMemory``), the sum of the tree's
proportional set sizes (PSS: memory shared after ``fork`` counted once).

The naive baseline is measured in this run with ``bench/charts.py`` on
a small synthetic programme: one group's two charts (``naive_group_charts``)
and one area page's five (``naive_area_charts``), each chart a fresh
matplotlib figure. The area charts are on the index and on every kota,
kecamatan and kelurahan page (``area_pages``, counted from the content
written), so a naive build of N groups pays, per group,
``languages × (group charts + area charts × area pages / N)``. The report
gives the ratio to that and, beside it, to the group charts alone, the
baseline before the area charts were counted.

With ``--baseline DIR`` (a checkout of other code, e.g. ``git worktree add
/tmp/before HEAD~5``), every build above runs for both, one after the other
on copies of the same content, the order switching at each step, and the
report adds a table of before, after and their ratio: figures from one run,
side by side, are the only fair comparison on a shared machine.

Writes ``bench/RESULTS.md`` (or ``--results``): generated, never edited by
hand, but for its last section (from the line ``KEPT`` on), which holds
measurements behind the engine's choices, quoted by its docstrings; a run
keeps that section as it is.

What an earlier run left in ``--work`` is moved aside and deleted only after
this run has measured (``set_aside``): deleting many files slows down the
files made soon after on this machine's disk, so delete nothing big on it
while the benchmark runs, nor in the five minutes before it starts (without
a journal, ext4 does not reuse a freed inode for up to five minutes, and
each new file looks past them). A cold build of 10,000 groups spent 26 to
41 s of kernel CPU when the previous output was deleted just before it,
and 10 s when nothing had been deleted for a while.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from charts import naive_area_ms, naive_ms_per_group, scored_groups  # noqa: E402
from ksm_site.domain.analyse import area_slugs  # noqa: E402
from synthetic import write_programme  # noqa: E402

TARGETS = {
    "ratio": 30,  # a cold build costs at most 1/30 of the naive per-group chart cost, per group
    "cold_10k_s": 30.0,
    "rebuild_10k_s": 2.0,
    "rss_100k_mb": 1500.0,
    "cold_100k_s": 8 * 60.0,
}


@dataclass
class Run:
    seconds: float
    maxrss_mb: float
    treepss_mb: float
    output: str
    sampler_cpu_s: float = 0.0


@dataclass
class Size:
    n: int
    generate_s: float = 0.0
    cold: Run | None = None
    no_change: list[Run] = field(default_factory=list)
    edit: list[Run] = field(default_factory=list)
    as_of_edit: Run | None = None
    ci: Run | None = None
    output_bytes: int = 0
    output_files: int = 0
    cache_bytes: int = 0
    area_pages: int = 0
    """Pages with the five area charts in one language (``area_pages``)."""


@dataclass
class Naive:
    """The naive chart costs in one language, measured on a synthetic programme of ``groups`` groups."""

    group_ms: float
    """One group's two charts."""
    area_ms: float
    """One area page's five charts."""
    groups: int
    area_pages: int
    """Of the programme measured on (``area_pages``)."""

    def per_group_ms(self, size: Size, languages: int) -> float:
        """What a naive build of ``size`` pays for charts per group: its own two and its share of the area
        pages' five, in every language."""
        return languages * (self.group_ms + self.area_ms * size.area_pages / size.n)

    def ratio(self, size: Size, languages: int, area_charts: bool = True) -> float:
        """The naive chart cost per group over ``size``'s cold build cost per group; with
        ``area_charts=False``, of the group charts alone."""
        naive = self.per_group_ms(size, languages) if area_charts else languages * self.group_ms
        return naive / (size.cold.seconds * 1000 / size.n)


class TreeMemory:
    """The peak of a process tree's summed PSS, sampled from /proc without weighing on the tree.

    PSS comes from ``smaps_rollup``, which walks a process's page tables:
    some 15 ms of kernel time for a 1 GB process, while the process's memory
    map is locked, so sampling a build of 100,000 groups every 0.1 s took a
    quarter of one of this machine's two cores from the build it measured
    (40 ms of CPU a sample). Two things keep that down. A sample reads the cheap resident sizes
    (``statm``) first and reads PSS only when their sum is above the peak so
    far: a process's PSS is never more than its RSS, so such a sample could
    not raise the peak. And the next sample waits long enough that sampling
    takes at most ``BUDGET`` of a core, never less than ``INTERVAL``.
    """

    INTERVAL = 0.1
    BUDGET = 0.05
    PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20

    def __init__(self, root: int):
        self.root = root
        self.peak_mb = 0.0
        self.cpu_s = 0.0
        """CPU time the samples took."""
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()

    def _run(self) -> None:
        wait = self.INTERVAL
        while not self.done.wait(wait):
            spent = time.thread_time()
            self.sample()
            spent = time.thread_time() - spent
            self.cpu_s += spent
            wait = self.wait_after(spent)

    @classmethod
    def wait_after(cls, spent: float) -> float:
        """Seconds to the next sample after one that took ``spent`` seconds of CPU."""
        return max(cls.INTERVAL, spent / cls.BUDGET)

    def sample(self) -> None:
        pids = tree_pids(self.root)
        if sum(map(self.rss_mb, pids)) > self.peak_mb:
            self.peak_mb = max(self.peak_mb, sum(map(self.pss_mb, pids)))

    @classmethod
    def rss_mb(cls, pid: int) -> float:
        try:
            with open(f"/proc/{pid}/statm") as f:
                return int(f.read().split()[1]) * cls.PAGE_MB
        except (OSError, IndexError, ValueError):
            return 0.0

    @staticmethod
    def pss_mb(pid: int) -> float:
        """0 where the process is gone or the kernel lacks smaps_rollup."""
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                return sum(int(line.split()[1]) for line in f if line.startswith("Pss:")) / 1024
        except (OSError, ValueError):
            return 0.0


def tree_pids(root: int) -> list[int]:
    """``root`` and its descendants: every thread's children (Pagefind is started from a thread), from
    /proc/PID/task/TID/children, a few reads where a scan of /proc reads every process's stat."""
    tree, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        tree.append(pid)
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    frontier += map(int, f.read().split())
        except (OSError, ValueError):
            continue  # gone meanwhile
    return tree


def run_build(args: list[str], root: Path = ROOT) -> Run:
    """``build.py`` of the checkout ``root`` with ``args`` in a child process: wall time, its tree's peak RSS
    and sampled PSS."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(root / "build.py"), *args], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeMemory(child.pid) as memory:
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    out, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"build failed ({child.returncode}): {' '.join(args)}\n{out}{err}")
    return Run(seconds, usage.ru_maxrss / 1024, memory.peak_mb, err.strip().splitlines()[-1], memory.cpu_s)


def folder_size(folder: Path) -> tuple[int, int]:
    total = count = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            total += os.lstat(os.path.join(dirpath, name)).st_size
            count += 1
    return total, count


def group_files(content: Path) -> list[Path]:
    return sorted(p for p in (content / "groups").rglob("*") if p.is_file())


WILAYAH = re.compile(r"^  kota: (.*)\n  kecamatan: (.*)\n  kelurahan: (.*)$", flags=re.M)
"""A group's areas, as ``bench/synthetic.py`` writes them."""


def area_pages(content: Path) -> int:
    """The pages a build of ``content`` draws the five area charts on, per language: the index and one per area.

    Counted as the build counts ``programme.areas``: every kota, kecamatan
    and kelurahan that holds a group, by name (``area_slugs``), and the
    whole programme. The names are read from the lines the synthetic
    programme writes: ksm_site's loader would take a minute for 100,000
    files (0.7 ms each), these take seconds. ``tests/test_bench.py``
    checks the count against a build.
    """
    return len(area_slugs(WILAYAH.search(p.read_text(encoding="utf-8")).groups() for p in group_files(content)))


def edit_a_level(path: Path) -> None:
    """Change pertemuan_rutin in the group's last assessment: its score and stage change, no date moves."""
    text = path.read_text()
    matches = list(re.finditer(r"^(      pertemuan_rutin: )(\d)$", text, flags=re.M))
    last = matches[-1]
    text = text[:last.start(2)] + str(3 - int(last.group(2))) + text[last.end(2):]
    path.write_text(text)


def add_a_late_assessment(path: Path) -> None:
    """A new assessment dated after every date in the content: the as-of date moves. (The group must
    not be dissolved: a dissolved group is not assessed.)"""
    text = path.read_text()
    block = re.search(r"^  - tanggal: .*?(?=^  - tanggal: |^---|\Z)", text, flags=re.M | re.S).group(0)
    newest = re.sub(r"tanggal: \S+", "tanggal: 2025-06-30", block, count=1)
    path.write_text(text.replace("penilaian:\n", "penilaian:\n" + newest, 1))


PREVIOUS = ".previous"
"""Under the work folder: what earlier runs left, deleted once this run has measured."""


def set_aside(folder: Path, work: Path) -> None:
    """Move what an earlier run left at ``folder`` under ``work/.previous``, for ``clear_previous``.

    Deleting it now would slow this run's builds down. On this machine's
    disk (ext4 without a journal) a new file skips each inode freed in the
    last minute or more (the kernel's ``recently_deleted``, as ``perf``
    shows), so right after a big delete every file a build makes costs up to
    a millisecond of kernel time: 3,000 new folders with a file each took
    4.2 s soon after one and 0.3 s once the disk had settled.
    """
    if folder.exists():
        aside = work / PREVIOUS
        aside.mkdir(exist_ok=True)
        folder.rename(Path(tempfile.mkdtemp(dir=aside)) / folder.name)


def clear_previous(work: Path) -> None:
    if (work / PREVIOUS).exists():
        print("removing what earlier runs left ...", file=sys.stderr, flush=True)
        shutil.rmtree(work / PREVIOUS, ignore_errors=True)


@dataclass(frozen=True)
class Side:
    """Code whose builds are measured: this checkout, or the baseline it is compared with."""

    name: str
    root: Path


def measure(n: int, work: Path, jobs: int, repeats: int, as_of_edit: bool, sides: list[Side]) -> dict[str, Size]:
    """Every measurement of ``n`` groups, for each side: each on its own copy of the same groups, its own
    output and cache; every step is taken by each side in turn, the first switching from step to step.
    Each side reads its own checkout's ``rubric.yaml`` and ``site.yaml``: a baseline's code may refuse keys
    that later code added (a new warning), so its builds use the rubric it was written for."""
    folder = work / f"n{n}"
    set_aside(folder, work)
    start = time.perf_counter()
    generated = write_programme(folder / "generated", n, seed=1)
    generate_s = time.perf_counter() - start
    sizes = {side.name: Size(n, generate_s, area_pages=area_pages(generated)) for side in sides}
    places = {}
    for side in sides:
        place = folder / side.name
        shutil.copytree(generated, place / "content")
        for settings in ("rubric.yaml", "site.yaml"):  # the same groups, under the rubric each side's code reads
            shutil.copy(side.root / "content" / settings, place / "content" / settings)
        places[side.name] = place
    steps = iter(range(1_000_000))

    def each_side(step):
        """``step(side, place, size)`` for every side, in an order that switches at each call."""
        turn = next(steps)
        for side in (sides if turn % 2 == 0 else sides[::-1]):
            step(side, places[side.name], sizes[side.name])

    def build_args(place: Path) -> list[str]:
        return ["build", "--content", str(place / "content"), "--out", str(place / "output"), "--cache",
                str(place / "cache"), "--jobs", str(jobs)]

    print(f"N={n:,}: cold builds ...", file=sys.stderr, flush=True)

    def cold(side, place, size):
        size.cold = run_build(build_args(place), side.root)
        size.output_bytes, size.output_files = folder_size(place / "output")

    each_side(cold)
    for _ in range(repeats):
        each_side(lambda side, place, size: size.no_change.append(run_build(build_args(place), side.root)))
    edited = [p.relative_to(generated) for p in group_files(generated) if "pertemuan_rutin" in p.read_text()]
    for k in range(repeats):
        def edit(side, place, size, k=k):
            edit_a_level(place / "content" / edited[(k * 7919) % len(edited)])
            size.edit.append(run_build(build_args(place), side.root))
        each_side(edit)
    if as_of_edit:
        late = next(p for p in reversed(edited) if "\nbubar:" not in (generated / p).read_text())

        def as_of(side, place, size):
            add_a_late_assessment(place / "content" / late)
            size.as_of_edit = run_build(build_args(place), side.root)
        each_side(as_of)

    # CI: the cache restored, no output folder (nor its spare), one file edited since the cache was saved
    def ci(side, place, size):
        edit_a_level(place / "content" / edited[(repeats * 7919) % len(edited)])
        for left in (place / "output", place / ".output.spare"):
            set_aside(left, work)
        size.ci = run_build(build_args(place), side.root)
        size.cache_bytes = folder_size(place / "cache")[0]
    each_side(ci)
    for name, size in sizes.items():
        print(f"N={n:,}{f' ({name})' if len(sizes) > 1 else ''}: cold {size.cold.seconds:.1f} s, "
              f"no change {size.no_change[0].seconds:.2f} s, edit {size.edit[0].seconds:.2f} s",
              file=sys.stderr, flush=True)
    return sizes


def code_digest(root: Path = ROOT) -> str:
    """A SHA-256 of the code and templates the builds run (``ksm_site``, ``templates``, ``build.py``)."""
    digest = hashlib.sha256()
    paths = [root / "build.py", *(p for folder in ("ksm_site", "templates") for p in (root / folder).rglob("*")
                                  if p.is_file() and "__pycache__" not in p.parts)]
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def machine() -> dict[str, str]:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
            memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "ksm_site", "templates"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return {"CPUs": str(os.cpu_count()), "CPU": model or platform.processor(), "memory": memory,
            "Python": platform.python_version(), "system": f"{platform.system()} {platform.release()}",
            "code": commit + (" (with uncommitted changes)" if dirty else "")}


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def worst(runs: list[Run]) -> float:
    return max(r.seconds for r in runs)


def ratios(size: Size, naive: Naive, languages: int) -> str:
    """The naive chart cost per group over the cold build's cost per group, with every chart and with the
    group charts alone."""
    return (f"1/{naive.ratio(size, languages):.0f} "
            f"(group charts only: 1/{naive.ratio(size, languages, area_charts=False):.0f})")


def comparison(before: list[Size], after: list[Size]) -> list[str]:
    """The table of before, after and their ratio, for what every build of a site meets."""
    lines = [
        "## Before and after",
        "",
        "The same builds of the same content, for the baseline code (before) and this code (after), taken in "
        "turn in this run (the order switching at each step).",
        "",
        "| groups | build | before | after | after ÷ before |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for b, a in zip(before, after):
        measures = [("cold", b.cold.seconds, a.cold.seconds),
                    ("no change, median", median(b.no_change), median(a.no_change)),
                    ("no change, worst", worst(b.no_change), worst(a.no_change)),
                    ("one-file edit, median", median(b.edit), median(a.edit)),
                    ("one-file edit, worst", worst(b.edit), worst(a.edit))]
        if a.as_of_edit and b.as_of_edit:
            measures.append(("as-of edit", b.as_of_edit.seconds, a.as_of_edit.seconds))
        if a.ci and b.ci:
            measures.append(("CI", b.ci.seconds, a.ci.seconds))
        for name, x, y in measures:
            lines.append(f"| {a.n:,} | {name} | {x:.2f} s | {y:.2f} s | {y / x:.2f} |")
    return lines + [""]


KEPT = "## Measurements behind the engine's choices"
"""Where the part of ``RESULTS.md`` that a run keeps as it is begins."""


def kept_section(path: Path) -> str:
    """The part of an earlier report from ``KEPT`` on, or ''."""
    if not path.exists():
        return ""
    text = path.read_text()
    return text[text.index(KEPT):] if KEPT in text else ""


def report(sizes: list[Size], naive: Naive, languages: int, jobs: int, args: argparse.Namespace,
           facts: dict[str, str], started: str, took: float, before: list[Size] | None = None) -> str:
    every = [r for s in sizes for r in (s.cold, *s.no_change, *s.edit, s.as_of_edit, s.ci) if r is not None]
    sampled, built = sum(r.sampler_cpu_s for r in every), sum(r.seconds for r in every)
    lines = [
        "# Speed and scale: measured figures",
        "",
        "Generated by `bench/scale.py`; do not edit by hand. Rerun it to refresh:",
        "",
        f"    .venv/bin/python bench/scale.py{' ' + ' '.join(args.argv) if args.argv else ''}",
        "",
        f"Run {started} on this machine, taking {took / 60:.0f} min in all: "
        + "; ".join(f"{k}: {v}" for k, v in facts.items()) + f". Builds ran with `--jobs {jobs}`.",
        "The machine is shared and noisy: compare figures within one run.",
        "",
        *(comparison(before, sizes) if before else []),
        "## Builds",
        "",
        "| groups | cold | cold per group | naive charts per group ÷ cold per group | no change (median · worst) "
        "| one-file edit (median · worst) | as-of edit | CI | peak RSS, largest process | peak PSS, whole tree "
        "| output | cache |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in sizes:
        runs = [r for r in (s.cold, *s.no_change, *s.edit, s.as_of_edit, s.ci) if r is not None]
        lines.append(
            f"| {s.n:,} | {s.cold.seconds:.1f} s | {s.cold.seconds * 1000 / s.n:.2f} ms "
            f"| {ratios(s, naive, languages)} | {median(s.no_change):.2f} · {worst(s.no_change):.2f} s "
            f"| {median(s.edit):.2f} · {worst(s.edit):.2f} s | "
            + (f"{s.as_of_edit.seconds:.1f} s" if s.as_of_edit else "–")
            + (f" | {s.ci.seconds:.1f} s" if s.ci else " | –")
            + f" | {max(r.maxrss_mb for r in runs):,.0f} MB | {max(r.treepss_mb for r in runs):,.0f} MB "
            f"| {s.output_bytes / 2**30:.2f} GiB, {s.output_files:,} files | {s.cache_bytes / 2**30:.2f} GiB |")
    lines += [
        "",
        f"Naive baseline, measured in this run on a synthetic programme of {naive.groups:,} groups and "
        f"{naive.area_pages} area pages, each chart a fresh matplotlib figure (`bench/charts.py`): "
        f"{naive.group_ms:.1f} ms for one group's two charts (`naive_group_charts`, median over "
        f"{args.naive_groups} groups) and {naive.area_ms:.1f} ms for one area page's five charts "
        f"(`naive_area_charts`, median over {args.naive_areas} pages spread over the index and every level). "
        "A build draws the area charts on the index and on every kota, kecamatan and kelurahan page: "
        + ", ".join(f"{s.area_pages:,} pages for {s.n:,} groups ({s.area_pages / s.n:.3f} per group)" for s in sizes)
        + f". A naive build draws every chart in each of the site's {languages} languages, so its chart cost "
        f"per group is {languages} × ({naive.group_ms:.1f} ms + {naive.area_ms:.1f} ms × area pages per group): "
        + ", ".join(f"{naive.per_group_ms(s, languages):.1f} ms for {s.n:,} groups" for s in sizes)
        + ". The ratio column and the targets are taken against that; in brackets, against the group charts "
        f"alone ({languages} × {naive.group_ms:.1f} ms = {naive.group_ms * languages:.1f} ms per group), "
        "the baseline that earlier runs reported.",
        "",
        f"Memory sampling (`TreeMemory`) took {sampled:.1f} s of CPU over {built:.0f} s of builds: "
        f"{100 * sampled / built:.1f} % of one core, beside them.",
        "",
        "One-file edit: one indicator level of one group's last assessment (score, stage, table rows, its "
        "areas' analyses and the data files change; no date moves). As-of edit: an assessment dated after "
        "every other, so the as-of date printed on every page moves and every page is rendered again. "
        "CI: what a push costs in CI, where the build cache is restored (`.github/workflows/site.yml`) but "
        "the output folder and its spare are not: one more level edited, then a build into no output folder, "
        "which renders the edit and writes every other file from the cache.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    by_n = {s.n: s for s in sizes}

    def row(name: str, measured: str, met: bool | None) -> None:
        lines.append(f"| {name} | {measured} | {'yes' if met else 'no' if met is not None else 'not measured'} |")

    for s in sizes:
        row(f"cold build per group ≤ 1/{TARGETS['ratio']} of the naive chart cost per group ({s.n:,} groups)",
            ratios(s, naive, languages),
            naive.ratio(s, languages) >= TARGETS["ratio"])
    ten = by_n.get(10_000)
    hundred = by_n.get(100_000)
    row("10,000 groups cold ≤ 30 s", f"{ten.cold.seconds:.1f} s" if ten else "–",
        ten.cold.seconds <= TARGETS["cold_10k_s"] if ten else None)
    row("10,000 groups, no-change rebuild ≤ 2 s (worst)", f"{worst(ten.no_change):.2f} s" if ten else "–",
        worst(ten.no_change) <= TARGETS["rebuild_10k_s"] if ten else None)
    row("10,000 groups, one-file edit ≤ 2 s (worst)", f"{worst(ten.edit):.2f} s" if ten else "–",
        worst(ten.edit) <= TARGETS["rebuild_10k_s"] if ten else None)
    if hundred:
        runs = [hundred.cold, *hundred.no_change, *hundred.edit]
        rss = max(r.maxrss_mb for r in runs)
        pss = max(r.treepss_mb for r in runs)
        row("100,000 groups: peak RSS ≤ 1.5 GB", f"{rss:,.0f} MB largest process; {pss:,.0f} MB whole tree (PSS)",
            max(rss, pss) <= TARGETS["rss_100k_mb"])
        row("100,000 groups cold ≤ 8 min", f"{hundred.cold.seconds / 60:.1f} min",
            hundred.cold.seconds <= TARGETS["cold_100k_s"])
    else:
        row("100,000 groups: peak RSS ≤ 1.5 GB", "–", None)
        row("100,000 groups cold ≤ 8 min", "–", None)
    lines += ["", "Last lines the builds printed:", ""]
    for s in sizes:
        lines.append(f"* {s.n:,}, cold: `{s.cold.output}`")
        lines.append(f"* {s.n:,}, one-file edit: `{s.edit[-1].output}`")
        if s.ci:
            lines.append(f"* {s.n:,}, CI: `{s.ci.output}`")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 100 and 1,000, one repeat each")
    parser.add_argument("--sizes", help="comma-separated group counts (default 1000,10000,100000)")
    parser.add_argument("--repeats", type=int, help="rebuilds of each kind per N (default 3, 1 with --quick)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="--jobs for the builds")
    parser.add_argument("--naive-groups", type=int, default=40, help="groups drawn the naive way")
    parser.add_argument("--naive-areas", type=int, default=20, help="area pages drawn the naive way")
    parser.add_argument("--as-of-edit", action="store_true", help="measure the as-of edit at the largest N too")
    parser.add_argument("--work", type=Path, help="where content, output and cache go (default: a temporary folder)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--baseline", type=Path, help="a checkout of other code to measure beside this one")
    args = parser.parse_args()
    args.argv = sys.argv[1:]
    sizes = [100, 1000] if args.quick else [1000, 10_000, 100_000]
    if args.sizes:
        sizes = [int(n) for n in args.sizes.split(",")]
    repeats = args.repeats or (1 if args.quick else 3)
    work = args.work or Path(tempfile.mkdtemp(prefix="ksm-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    # The builds run as an installed program does, from bytecode (pip compiles every dependency so). This
    # machine sets PYTHONDONTWRITEBYTECODE, and then each build would compile ksm_site's modules from source
    # again: 0.08 s of its 0.35 s of imports, a twelfth of a no-change rebuild of 10,000 groups.
    compileall.compile_dir(ROOT / "ksm_site", quiet=1)
    code = code_digest()
    baseline_code = code_digest(args.baseline) if args.baseline else None
    started = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    clock = time.perf_counter()
    try:
        sample = work / "naive"
        set_aside(sample, work)
        write_programme(sample, max(args.naive_groups, 100), seed=1)
        figures, groups, extent = scored_groups(sample)
        naive = Naive(naive_ms_per_group(figures, groups, extent, args.naive_groups),
                      naive_area_ms(figures, groups, extent, args.naive_areas), len(groups), area_pages(sample))
        languages = len(re.search(r"^bahasa: \[(.*)\]", (sample / "site.yaml").read_text(), re.M).group(1).split(","))
        print(f"naive, per language: {naive.group_ms:.1f} ms per group, {naive.area_ms:.1f} ms per area page",
              file=sys.stderr, flush=True)
        sides = [Side("after", ROOT)]
        if args.baseline:
            compileall.compile_dir(args.baseline / "ksm_site", quiet=1)
            sides.insert(0, Side("before", args.baseline.resolve()))
        measured = [measure(n, work, args.jobs, repeats, args.as_of_edit or n != max(sizes), sides) for n in sizes]
        results = [m["after"] for m in measured]
        before = [m["before"] for m in measured] if args.baseline else None
    finally:
        if args.work:
            clear_previous(work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if code_digest() != code or (args.baseline and code_digest(args.baseline) != baseline_code):
        # each build imports the code afresh: its figures would mix versions
        raise SystemExit("ksm_site, the templates or build.py changed while the benchmark ran, so its builds "
                         "ran more than one version; run it from a checkout that stays as it is (README)")
    text = report(results, naive, languages, args.jobs, args, machine(), started, time.perf_counter() - clock,
                  before)
    kept = kept_section(args.results)
    args.results.write_text(text + ("\n" + kept if kept else ""))
    print(text)


if __name__ == "__main__":
    main()
