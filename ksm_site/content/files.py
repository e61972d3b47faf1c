"""Content files on disk: find them, read them as text, split a Markdown file's front matter.

The only code that reads the content folder (``read.py`` puts these steps
together) and the only code that writes a group file (``write_content_file``,
for ``new`` and ``import``). Group files are found in a sorted walk of
``groups/``; symbolic links are followed only while they stay inside the
content folder; bytes that are not UTF-8, control characters, and files over
``MAX_FILE_BYTES`` are refused before YAML sees them.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass

from ..domain.slugs import slugify
from .problems import FILE_FIELD, Problem, char_label
from .yamlnodes import Node, parse_yaml

MAX_FILE_BYTES = 1024 * 1024
GROUP_SUFFIXES = (".md", ".yaml", ".yml")
GROUP_FORMATS = ("md", "yaml")
"""What ``new`` and ``import`` write a group file as: Markdown with front matter, or YAML alone."""
SEGMENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Document:
    """One content file, parsed; ``data`` is None when it could not be."""

    path: str
    """As the user names it, e.g. ``content/groups/kab-madiun/a.md``."""
    id: str
    """Group id (path under ``groups/`` without suffix); empty for settings files."""
    data: Node | None
    body: str = ""
    body_line: int = 0



def read_settings_text(content_dir: str, name: str, problems: list[Problem]) -> tuple[str, str | None]:
    """The path and text of ``rubric.yaml`` or ``site.yaml`` (None after reporting why not)."""
    path = os.path.join(content_dir, name)
    if not _inside(path, os.path.realpath(content_dir), problems):
        return path, None
    return path, read_text(path, problems)


def discover_groups(content_dir: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """Every group file under ``groups/`` as ``(path, id)``, sorted by path; problems go to ``problems``.

    Two files with one id (``a.md`` and ``a.yaml``) are both reported and both
    left out.
    """
    content_real = os.path.realpath(content_dir)
    groups_dir = os.path.join(content_dir, "groups")
    if not os.path.isdir(groups_dir):
        problems.append(Problem(groups_dir, 0, FILE_FIELD, "folder not found",
                                "group files live in groups/ next to rubric.yaml and site.yaml"))
        return []
    if not _inside(groups_dir, content_real, problems):
        return []
    found = []
    ids: dict[str, str] = {}
    for path, group_id in _discover(groups_dir, content_real, problems):
        if group_id in ids:
            for p in (ids[group_id], path):
                problems.append(Problem(
                    p, 0, FILE_FIELD, f"two files have the group id '{group_id}'",
                    f"keep one of {ids[group_id]} and {path}"))
            continue
        ids[group_id] = path
        found.append((path, group_id))
    return found


def _inside(path: str, content_real: str, problems: list[Problem]) -> bool:
    """Whether ``path``, links resolved, stays inside the content folder; if not, say so.

    A link that leaves the content folder is refused: a pull request must
    not be able to make the build read (and quote in its messages) a file
    of the machine it runs on.
    """
    target = os.path.realpath(path)
    if os.path.commonpath([target, content_real]) == content_real:
        return True
    problems.append(Problem(path, 0, FILE_FIELD, "symbolic link points outside the content folder",
                            "copy the file into the content folder instead of linking to it"))
    return False


def _discover(groups_dir: str, content_real: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """Every group file under ``groups_dir`` as ``(path, id)``, sorted by path.

    Symlinks are followed only while they stay inside the content folder.
    Hidden files (``.gitkeep``) are skipped; any other file that is not
    ``.md``, ``.yaml`` or ``.yml`` is a problem, so a misnamed group file is
    never silently left out.
    """
    found: list[tuple[str, str]] = []
    seen_dirs: set[str] = set()

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        real = os.path.realpath(folder)
        if real in seen_dirs:
            return
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(folder, 0, FILE_FIELD, f"cannot read the folder: {exc.strerror}", ""))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = entry.path  # os.path.join(folder, entry.name), made by scandir
            if entry.is_symlink():
                if not os.path.exists(path):
                    problems.append(Problem(path, 0, FILE_FIELD, "symbolic link points to nothing",
                                            "remove the link, or copy the file it meant into its place"))
                    continue
                if not _inside(path, content_real, problems):
                    continue
            if entry.is_dir():
                _check_segment(path, entry.name, problems)
                walk(path, (*parts, entry.name))
                continue
            stem, dot, extension = entry.name.rpartition(".")
            if not dot or dot + extension not in GROUP_SUFFIXES or not entry.is_file():
                problems.append(Problem(path, 0, FILE_FIELD, "not a group file",
                                        "group files end in .md, .yaml or .yml (lowercase)"))
                continue
            if _check_segment(path, stem, problems):
                found.append((path, "/".join((*parts, stem))))

    walk(groups_dir, ())
    return found


def _check_segment(path: str, name: str, problems: list[Problem]) -> bool:
    if SEGMENT.fullmatch(name):
        return True
    problems.append(Problem(
        path, 0, FILE_FIELD,
        f"'{name}' is not allowed in a group's path: use lowercase letters a-z, digits and single hyphens",
        f"rename it to '{slugify(name) or 'nama-kelompok'}'"))
    return False


def group_id_problem(group_id: str) -> str:
    """Why ``group_id`` cannot name a group file (the rule of ``_discover``), or ''."""
    bad = [part for part in group_id.split("/") if not SEGMENT.fullmatch(part)]
    if not bad:
        return ""
    return (f"'{bad[0]}' is not allowed in a group id: use lowercase letters a-z, digits and single hyphens, "
            f"folders separated by '/', e.g. kab-madiun/jiwan/ksm-maju")


def group_files(content_dir: str, group_id: str) -> list[str]:
    """The files that hold group ``group_id`` now (one, or none; more is a problem ``check`` reports)."""
    base = os.path.join(content_dir, "groups", *group_id.split("/"))
    return [base + suffix for suffix in GROUP_SUFFIXES if os.path.lexists(base + suffix)]


def newline_of(path: str) -> str:
    """The line ending a text file uses: CRLF if its first line ends so, else LF."""
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    end = head.find(b"\n")
    return "\r\n" if end > 0 and head[end - 1:end] == b"\r" else "\n"


def read_document(path: str, doc_id: str, problems: list[Problem]) -> Document:
    """Read one file; problems go to ``problems`` and leave ``data`` None."""
    text = read_text(path, problems)
    if text is None:
        return Document(path, doc_id, None)
    return parse_document(path, doc_id, text, problems)


def read_text(path: str, problems: list[Problem]) -> str | None:
    """A content file's text (see ``decode_text``), or None after reporting why not."""
    raw = _read_bytes(path, problems)
    return None if raw is None else decode_text(path, raw, problems)


def parse_document(path: str, doc_id: str, text: str, problems: list[Problem]) -> Document:
    """A document from text in memory; pure, so tests can feed it anything.

    ``path`` only names the file in problems and tells a Markdown file
    (``.md``: front matter and story) from a data file. ``import`` checks
    the files it is about to write with this, exactly as ``check`` would
    read them from disk.
    """
    if _CONTROL.search(text):
        _report_control_characters(path, text, problems)
        return Document(path, doc_id, None)
    if path.endswith(".md"):
        split = _split_front_matter(text)
        if isinstance(split, Problem):
            problems.append(Problem(path, split.line, split.field, split.message, split.hint))
            return Document(path, doc_id, None)
        yaml_text, first_line, body, body_line = split
    else:
        yaml_text, first_line, body, body_line = text, 1, "", 0
    data = parse_yaml(yaml_text, path, first_line, problems)
    return Document(path, doc_id, data, body, body_line)


def _read_bytes(path: str, problems: list[Problem]) -> bytes | None:
    try:
        size = os.stat(path).st_size
        if size <= MAX_FILE_BYTES:
            with open(path, "rb") as f:
                # read(n) allocates n bytes up front: ask for the size found, and for more
                # (never past the limit) only if there is more (a file that grew since stat,
                # or a device that reports no size)
                raw = f.read(size + 1)
                if len(raw) > size:
                    raw += f.read(MAX_FILE_BYTES + 1 - len(raw))
            size = len(raw)
    except FileNotFoundError:
        problems.append(Problem(path, 0, FILE_FIELD, "file not found", ""))
        return None
    except OSError as exc:
        problems.append(Problem(path, 0, FILE_FIELD, f"cannot read the file: {exc.strerror}", ""))
        return None
    if size > MAX_FILE_BYTES:
        problems.append(Problem(path, 0, FILE_FIELD, f"file is {size:,} bytes; the limit is 1 MiB",
                                "a group file is a few kilobytes; split the story or remove pasted data"))
        return None
    return raw


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
"""Characters no group file needs and YAML refuses or reads as a line break
(C0 and C1 controls but tab and newline, line and paragraph separators,
non-characters). Refused in the whole file with their line, before YAML
sees them: libyaml reports them without a line, and counts U+0085, U+2028
and U+2029 as line breaks, which would shift every later line number."""


def decode_text(path: str, raw: bytes, problems: list[Problem]) -> str | None:
    """UTF-8 bytes -> text with LF line ends; a byte-order mark and CRLF or CR line ends are accepted."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(path, line, FILE_FIELD, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                                "save the file with UTF-8 encoding"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _report_control_characters(path: str, text: str, problems: list[Problem]) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        match = _CONTROL.search(line)
        if match:
            problems.append(Problem(
                path, number, FILE_FIELD,
                f"contains the control character {char_label(match.group())} in column {match.start() + 1}",
                "delete it; it is invisible in most editors and often comes from pasted text"))


_FENCE = re.compile(r"---[ \t]*")
_CLOSING_FENCE = re.compile(r"(---|\.\.\.)[ \t]*")


def _split_front_matter(text: str) -> tuple[str, int, str, int] | Problem:
    """``(yaml, its first line, body, body's first line)`` of a Markdown file."""
    lines = text.split("\n")
    if not lines or not _FENCE.fullmatch(lines[0]):
        return Problem("", 1, FILE_FIELD, "no front matter: the file must start with a line '---'",
                       "put the group's data between two '---' lines at the top, then the story")
    for index in range(1, len(lines)):
        if _CLOSING_FENCE.fullmatch(lines[index]):
            return "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1:]), index + 2
    return Problem("", 1, FILE_FIELD, "front matter opened on line 1 is never closed",
                   "add a line '---' after the last data line, before the story")


def write_content_file(path: str, data: bytes, replace: bool) -> None:
    """Write a group file atomically (for ``new`` and ``import``). ``replace`` False: fail with
    ``FileExistsError`` if it exists.

    The bytes go to a hidden temporary file in the same folder (hidden files
    are skipped by ``discover_groups``), which then takes the file's name in
    one step, so a reader never sees half a file.

    A new file is linked into place (``os.link`` never overwrites, so a file
    that appeared meanwhile is kept); a replaced file keeps its permissions.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.chmod(temp, os.stat(path).st_mode & 0o7777)
            os.replace(temp, path)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
            os.link(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
