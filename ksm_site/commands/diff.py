"""`diff REV_A [REV_B]`: what a change does to the groups, as Markdown for a pull request.

The content of each revision is scored as a build would score it, and the
two are compared: groups added and removed, stage changes (up, down, into
and out of Bubar), score changes of 5 points or more, and new warnings,
each group named by its ``nama`` and stages and warnings by their
Indonesian names from the rubric. The Markdown is in Indonesian, because
facilitators read it in their pull request.

A revision's content is taken with ``git archive REV <content>`` into a
temporary folder, so the working tree is never touched; without REV_B the
working tree itself is the second side. Each side is scored on its own
as-of date (its latest date, as its build would publish it), so a warning
such as ``penilaian-lama`` appears when the published site would show it.

Content with errors does not stop the comparison: the Markdown says how
many problems which side has and lists them, and the groups whose files
have problems are left out of the comparison on both sides (so a broken
file is not reported as a removed group). With a broken rubric nothing can
be scored on that side. A revision without the content folder has no
groups: everything on the other side is new.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import tempfile
from dataclasses import dataclass

from ..content.problems import Problem
from ..content.read import read_content_partly
from ..domain.analyse import as_of_date, facts_of
from ..domain.model import DISSOLVED, Rubric, ScoredGroup
from ..domain.score import score_group
from .report import md_escape, relative_path

SCORE_STEP_TENTHS = 50
"""Score changes of at least 5.0 points are listed."""
MAX_PROBLEMS_SHOWN = 20


class DiffError(Exception):
    """Not a git repository, or a revision git does not know (a usage error)."""


@dataclass(frozen=True)
class Side:
    label: str
    """Markdown: the revision as code, or 'folder kerja' for the working tree."""
    rubric: Rubric | None
    groups: dict[str, ScoredGroup]
    broken: frozenset[str]
    problems: tuple[str, ...]
    """Each problem as ``path:line: field: message``, path relative to the repository."""
    missing: bool = False
    """The revision has no content folder."""


def _git(root: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", root, *args], capture_output=True)


def repo_root(start: str = ".") -> str:
    found = _git(start, "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        raise DiffError(f"{os.path.abspath(start)} is not inside a git repository")
    return found.stdout.decode().strip()


def _commit(root: str, rev: str) -> str:
    found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if found.returncode != 0:
        raise DiffError(f"unknown revision '{rev}'")
    return found.stdout.decode().strip()


def extract_content(root: str, rev: str, content_rel: str, dest: str) -> str | None:
    """Unpack ``content_rel`` as it is at ``rev`` under ``dest``; None if it does not exist there."""
    commit = _commit(root, rev)
    if _git(root, "cat-file", "-e", f"{commit}:{content_rel}").returncode != 0:
        return None
    archive = _git(root, "archive", "--format=tar", commit, "--", content_rel)
    if archive.returncode != 0:
        raise DiffError(f"git archive {rev}: {archive.stderr.decode().strip()}")
    import tarfile  # here: only ``diff`` needs it, and every build imports this module

    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return os.path.join(dest, content_rel)


def read_side(content_dir: str | None, label: str, root: str, today: dt.date) -> Side:
    """Score the content in ``content_dir`` (paths in problems relative to ``root``)."""
    if content_dir is None:
        return Side(label, None, {}, frozenset(), (), missing=True)
    partial = read_content_partly(content_dir, today)
    problems = tuple(_problem_line(p, root) for p in partial.problems)
    if partial.rubric is None:
        return Side(label, None, {}, partial.broken | {g.id for g in partial.groups}, problems)
    as_of = as_of_date(map(facts_of, partial.groups))
    scored = {g.id: score_group(g, partial.rubric, as_of) for g in partial.groups}
    return Side(label, partial.rubric, scored, partial.broken, problems)


def _problem_line(p: Problem, root: str) -> str:
    return f"{relative_path(p.path, root)}:{p.line}: {p.field}: {p.message}"


# --------------------------------------------------------------------------
# Comparing


def _score(tenths: int) -> str:
    whole, tenth = divmod(abs(tenths), 10)
    return ("-" if tenths < 0 else "") + f"{whole},{tenth}"


def _name(g: ScoredGroup) -> str:
    return md_escape(g.group.nama)


def _item(g: ScoredGroup, text: str) -> str:
    return f"- {_name(g)}: {text} ({md_escape(g.id)})"


def _label(text: str) -> str:
    """A revision's name as code (``origin/main``), or escaped if it holds a backtick."""
    return f"`{text}`" if "`" not in text and text.strip() == text and text else md_escape(text)


def _status_name(rubric: Rubric, key: str) -> str:
    return rubric.status_name(key).id


def _rank(rubric: Rubric, status: str) -> int:
    keys = [s.key for s in rubric.stages]
    return keys.index(status) if status in keys else -1  # belum-dinilai below every stage


def changes_markdown(a: Side, b: Side) -> str:
    """The pull-request comment: every change between two scored sides, or a sentence that there is none."""
    title = f"## Perubahan KSM: {a.label} → {b.label}"
    skip = a.broken | b.broken
    old = {k: v for k, v in a.groups.items() if k not in skip}
    new = {k: v for k, v in b.groups.items() if k not in skip}

    added = [_item(new[i], _status_name(b.rubric, new[i].status)) for i in sorted(new.keys() - old.keys())]
    removed = [_item(old[i], _status_name(a.rubric, old[i].status)) for i in sorted(old.keys() - new.keys())]
    up, down, dissolved, revived, scores, warnings = [], [], [], [], [], []
    for group_id in sorted(new):
        after = new[group_id]
        before = old.get(group_id)
        if before is not None and before.status != after.status:
            change = f"{_status_name(a.rubric, before.status)} → {_status_name(b.rubric, after.status)}"
            if after.status == DISSOLVED:
                dissolved.append(_item(after, change))
            elif before.status == DISSOLVED:
                revived.append(_item(after, change))
            elif _rank(b.rubric, after.status) > _rank(a.rubric, before.status):
                up.append(_item(after, change))
            else:
                down.append(_item(after, change))
        if before is not None and before.latest and after.latest:
            delta = after.latest.tenths - before.latest.tenths
            if abs(delta) >= SCORE_STEP_TENTHS:
                sign = "+" if delta > 0 else ""
                scores.append(_item(after, f"{_score(before.latest.tenths)} → {_score(after.latest.tenths)} "
                                           f"({sign}{_score(delta)})"))
        fresh = [w for w in after.warnings if before is None or w not in before.warnings]
        names = {r.key: r.name.id for r in b.rubric.warnings}
        warnings += [_item(after, names.get(w, w)) for w in fresh]
    sections = [
        ("Kelompok baru", added), ("Kelompok dihapus", removed), ("Naik tahap", up), ("Turun tahap", down),
        ("Bubar", dissolved), ("Tidak lagi bubar", revived),
        ("Skor berubah 5 poin atau lebih", scores), ("Peringatan baru", warnings),
    ]
    lines = [title, ""]
    for side in (a, b):
        lines += _side_notes(side)
    shown = [(heading, items) for heading, items in sections if items]
    if not shown:
        lines += ["Tidak ada kelompok yang ditambah atau dihapus, tidak ada perubahan tahap, "
                  "skor (5 poin atau lebih), atau peringatan baru.", ""]
    for heading, items in shown:
        lines += [f"### {heading} ({len(items)})", "", *items, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _side_notes(side: Side) -> list[str]:
    label = side.label
    if side.missing:
        return [f"Di {label} belum ada folder konten: semua kelompok di sisi lain dihitung baru.", ""]
    if not side.problems:
        return []
    notes = [f"> ⚠️ Konten di {label} punya {len(side.problems)} masalah; kelompok yang berkasnya bermasalah "
             "tidak ikut dibandingkan. Jalankan `python build.py check` untuk rinciannya.", ""]
    notes += [f"- {md_escape(line)}" for line in side.problems[:MAX_PROBLEMS_SHOWN]]
    if len(side.problems) > MAX_PROBLEMS_SHOWN:
        notes.append(f"- … dan {len(side.problems) - MAX_PROBLEMS_SHOWN} masalah lain")
    return notes + [""]


def diff_markdown(rev_a: str, rev_b: str | None, content_rel: str, today: dt.date, start: str = ".") -> str:
    """Compare the content at ``rev_a`` with ``rev_b`` (None: the working tree); ``DiffError`` on bad input."""
    root = repo_root(start)
    content_rel = os.path.normpath(content_rel).replace(os.sep, "/")
    with tempfile.TemporaryDirectory(prefix="ksm-diff-") as temp:
        sides = []
        for n, rev in enumerate((rev_a, rev_b)):
            if rev is None:
                folder = os.path.join(root, content_rel)
                sides.append(read_side(folder if os.path.isdir(folder) else None, "folder kerja", root, today))
                continue
            dest = os.path.join(temp, str(n))
            folder = extract_content(root, rev, content_rel, dest)
            sides.append(read_side(folder, _label(rev), dest, today))
        return changes_markdown(*sides)
