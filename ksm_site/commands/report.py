"""Problems as people and GitHub read them: text, workflow annotations, a Markdown summary.

Pure functions over ``Problem`` values, except ``find_repo_root``, which
looks at the disk to find the folder that paths in annotations are relative
to.

* Text (``check``): ``path:line: field: message`` and an indented hint, with
  a count at the end; coloured only when the caller says the stream is a
  terminal (and ``NO_COLOR`` is not set; the CLI decides).
* GitHub (``check --format github``): one ``::error file=...,line=...,
  title=...::message`` workflow command per problem. ``file`` is relative to
  the repository root so that the pull request shows the message on the
  changed line. Data is escaped as the workflow-command syntax requires
  (``%``, CR, LF); property values also escape ``:`` and ``,``. A problem
  about the whole file (line 0) has no ``line`` property.
* Markdown (``$GITHUB_STEP_SUMMARY``): every problem as a table row, because
  GitHub shows at most 10 error annotations per step.

Each form shows at most ``MAX_PROBLEMS_PER_FILE`` problems of one file and
then a count of the rest (``errors.limit_per_file``); the totals count all.
"""

from __future__ import annotations

import os
from typing import Sequence

from ..content.problems import Problem, limit_per_file


def find_repo_root(start: str) -> str | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a folder, or a worktree's file)."""
    folder = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def relative_path(path: str, root: str) -> str:
    """``path`` relative to ``root``, with '/' separators, as GitHub names files."""
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


# --------------------------------------------------------------------------
# Text


_BOLD, _RED, _DIM, _RESET = "\033[1m", "\033[31m", "\033[2m", "\033[0m"


def text_report(problems: Sequence[Problem], colour: bool = False) -> str:
    """Every problem on its own line with its hint below, and a count; '' when there is none."""
    lines = []
    for p in limit_per_file(problems):
        if colour:
            lines.append(f"{_BOLD}{p.path}:{p.line}:{_RESET} {_RED}{p.field}{_RESET}: {p.message}")
            if p.hint:
                lines.append(f"    {_DIM}hint: {p.hint}{_RESET}")
        else:
            lines.append(str(p))
            if p.hint:
                lines.append(f"    hint: {p.hint}")
    if problems:
        lines.append(f"{len(problems)} problem(s) in {len({p.path for p in problems})} file(s).")
    return "".join(line + "\n" for line in lines)


def sheet_report(problems: Sequence[Problem], colour: bool = False) -> str:
    """Problems of an imported spreadsheet: ``line`` is the row, ``field`` the column."""
    lines = []
    for p in problems:
        where = f"{p.path}, row {p.line}, column {p.field}:"
        lines.append(f"{_BOLD}{where}{_RESET} {p.message}" if colour else f"{where} {p.message}")
        if p.hint:
            lines.append(f"    {_DIM}hint: {p.hint}{_RESET}" if colour else f"    hint: {p.hint}")
    lines.append(f"{len(problems)} problem(s).")
    return "".join(line + "\n" for line in lines)


# --------------------------------------------------------------------------
# GitHub workflow commands


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(p: Problem, root: str) -> str:
    """A GitHub Actions ``::error`` workflow command for one problem; ``file`` relative to ``root``."""
    props = [f"file={escape_property(relative_path(p.path, root))}"]
    if p.line:
        props.append(f"line={p.line}")
    props.append(f"title={escape_property(p.field)}")
    message = p.message + (f" (hint: {p.hint})" if p.hint else "")
    return f"::error {','.join(props)}::{escape_data(message)}"


def github_annotations(problems: Sequence[Problem], root: str) -> str:
    return "".join(github_annotation(p, root) + "\n" for p in limit_per_file(problems))


# --------------------------------------------------------------------------
# Markdown


_MARKDOWN_SPECIAL = set("\\`*_[]<>#|~@")
"""Characters that start formatting, links, HTML, issue links or mentions in the middle of a line."""


def md_escape(text: str) -> str:
    """Text shown literally in GitHub Markdown: no formatting, no HTML, no @mention, one line."""
    flat = " ".join(text.split())
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in flat)


def summary_markdown(problems: Sequence[Problem], root: str) -> str:
    """The job summary of ``check``: a heading and, when there are problems, a table of all of them."""
    if not problems:
        return "### ksm-site check\n\nNo problems found.\n"
    files = len({p.path for p in problems})
    rows = [f"### ksm-site check: {len(problems)} problem(s) in {files} file(s)", "",
            "| File | Line | Field | Problem | Hint |", "| --- | --- | --- | --- | --- |"]
    for p in limit_per_file(problems):
        cells = (relative_path(p.path, root), str(p.line) if p.line else "", p.field, p.message, p.hint)
        rows.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"
