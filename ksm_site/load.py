"""The only reader of content: find the files, split front matter, parse YAML.

YAML is parsed by libyaml (``CSafeLoader``) into events, and the events are
composed here into a small tree of ``Node`` values that remember their line.
Composing ourselves, rather than letting PyYAML construct Python objects,
is what lets us

* give every value its line number, so every problem names its line;
* refuse duplicate keys (PyYAML silently keeps the last one);
* refuse anchors, aliases and explicit tags outright: an alias bomb never
  expands, ``!!python/...`` never constructs anything;
* keep an impossible date such as ``2024-02-30`` as a value that validation
  reports with its field name, instead of an exception without a file name.

Plain scalars are resolved with PyYAML's own YAML 1.1 resolver, so ``yes`` is
still a boolean and ``12:30`` still a number here; validation turns those
surprises into messages with a hint.
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import FILE_FIELD, Problem

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 12
"""Deepest nesting accepted; a valid group file needs five levels."""

GROUP_SUFFIXES = (".md", ".yaml", ".yml")
SEGMENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
_SHORT_TAGS = {
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:timestamp": "timestamp",
}
_CONSTRUCTORS = {
    "null": lambda node: None,
    "bool": _constructor.construct_yaml_bool,
    "int": _constructor.construct_yaml_int,
    "float": _constructor.construct_yaml_float,
    "timestamp": _constructor.construct_yaml_timestamp,
}


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML value with its line.

    ``kind`` is ``scalar``, ``mapping`` or ``sequence``. A scalar's ``value``
    is the Python value (``str``, ``int``, ``float``, ``bool``, ``None``,
    ``date``/``datetime``), its ``tag`` the short name of its YAML type
    (``str``, ``int``, ...) and ``text`` what was written. A mapping's
    ``value`` is a ``dict`` of key text to ``Node`` and ``key_lines`` the line
    of each key; a sequence's ``value`` is a ``list`` of ``Node``. ``error`` is
    set when a scalar could not be constructed (an impossible date).
    """

    kind: str
    value: Any
    line: int
    tag: str = ""
    text: str = ""
    key_lines: dict | None = None
    error: str = ""
    key_line: int = 0
    """For a mapping or list that is the value of a key: the key's line."""

    @property
    def head_line(self) -> int:
        """Where a person looks for this value: its key's line if it has one."""
        return self.key_line or self.line


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


@dataclass(frozen=True)
class Content:
    rubric: Document
    site: Document
    groups: tuple[Document, ...]
    problems: tuple[Problem, ...]
    """File-level and YAML problems; validation finds the rest."""


def read_content(content_dir: str) -> Content:
    """Read ``rubric.yaml``, ``site.yaml`` and every group file under ``groups/``."""
    problems: list[Problem] = []
    rubric = read_document(os.path.join(content_dir, "rubric.yaml"), "", problems)
    site = read_document(os.path.join(content_dir, "site.yaml"), "", problems)
    groups = []
    groups_dir = os.path.join(content_dir, "groups")
    if not os.path.isdir(groups_dir):
        problems.append(Problem(groups_dir, 0, FILE_FIELD, "folder not found",
                                "group files live in groups/ next to rubric.yaml and site.yaml"))
    else:
        paths = _discover(groups_dir, problems)
        ids: dict[str, str] = {}
        for path, group_id in paths:
            if group_id in ids:
                for p in (ids[group_id], path):
                    problems.append(Problem(
                        p, 0, FILE_FIELD, f"two files have the group id '{group_id}'",
                        f"keep one of {ids[group_id]} and {path}"))
                continue
            ids[group_id] = path
            groups.append(read_document(path, group_id, problems))
    return Content(rubric, site, tuple(groups), tuple(problems))


def _discover(groups_dir: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """Every group file under ``groups_dir`` as ``(path, id)``, sorted by path.

    Symlinks are followed only while they stay inside the content folder.
    Hidden files (``.gitkeep``) are skipped; any other file that is not
    ``.md``, ``.yaml`` or ``.yml`` is a problem, so a misnamed group file is
    never silently left out.
    """
    content_real = os.path.realpath(os.path.dirname(groups_dir.rstrip(os.sep)) or ".")
    found: list[tuple[str, str]] = []
    seen_dirs: set[str] = set()

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        real = os.path.realpath(folder)
        if real in seen_dirs:
            return
        seen_dirs.add(real)
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = os.path.join(folder, entry.name)
            if entry.is_symlink():
                target = os.path.realpath(path)
                if os.path.commonpath([target, content_real]) != content_real:
                    problems.append(Problem(path, 0, FILE_FIELD, "symbolic link points outside the content folder",
                                            "copy the file into content/groups/ instead of linking to it"))
                    continue
            if entry.is_dir():
                _check_segment(path, entry.name, problems)
                walk(path, (*parts, entry.name))
                continue
            stem, suffix = os.path.splitext(entry.name)
            if suffix not in GROUP_SUFFIXES or not entry.is_file():
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


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: 'KSM Maju Bersama' -> 'ksm-maju-bersama'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


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


def parse_document(path: str, doc_id: str, text: str, problems: list[Problem]) -> Document:
    """A document from text in memory (``path`` names it and decides .md or YAML).

    ``import`` checks the files it is about to write with this, exactly as
    ``check`` would read them from disk.
    """
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


def read_text(path: str, problems: list[Problem]) -> str | None:
    """A content file's text (UTF-8, BOM dropped, every line ending made LF), or None after reporting why not."""
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(path, 0, FILE_FIELD, f"file is {size:,} bytes; the limit is 1 MiB",
                                    "a group file is a few kilobytes; split the story or remove pasted data"))
            return None
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        problems.append(Problem(path, 0, FILE_FIELD, "file not found", ""))
        return None
    except OSError as exc:
        problems.append(Problem(path, 0, FILE_FIELD, f"cannot read the file: {exc.strerror}", ""))
        return None
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


def parse_yaml(text: str, path: str, first_line: int, problems: list[Problem]) -> Node | None:
    """Compose ``text`` into a ``Node`` tree; on any problem report it and return None.

    ``first_line`` is the file line that the text's first line stands on. An
    empty document is a null scalar, so that None always means "reported".
    """
    offset = first_line
    try:
        events = list(yaml.parse(text, Loader=yaml.CSafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset if mark else offset
        bad_line = text.split("\n")[mark.line] if mark and mark.line < len(text.split("\n")) else ""
        problems.append(Problem(path, line, "(yaml)", _yaml_message(exc), _yaml_hint(exc, bad_line)))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(path, offset, "(yaml)", str(exc).splitlines()[0], ""))
        return None
    found: list[Problem] = []
    root = _compose(events, path, offset, found)
    problems.extend(found)
    if found:
        return None
    return root if root is not None else Node("scalar", None, offset, "null")


class _Frame:
    __slots__ = ("kind", "items", "line", "key", "key_line", "key_lines")

    def __init__(self, kind: str, line: int):
        self.kind = kind
        self.line = line
        self.items: Any = {} if kind == "mapping" else []
        self.key: str | None = None
        self.key_line = 0
        self.key_lines: dict[str, int] = {}


_DISCARD = object()


def _compose(events: list, path: str, offset: int, problems: list[Problem]) -> Node | None:
    root: Node | None = None
    stack: list[_Frame] = []
    documents = 0
    too_deep = False

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        frame = stack[-1]
        if frame.kind == "sequence":
            frame.items.append(node)
        elif frame.key is None:
            if node.kind != "scalar":
                problems.append(Problem(path, node.line, "(yaml)", "a key must be plain text",
                                        "write 'key: value' pairs"))
                frame.key = _DISCARD
                return
            key = node.text
            if key in frame.items:
                problems.append(Problem(path, node.line, key, "duplicate key",
                                        f"'{key}' is already set on line {frame.key_lines[key]}; keep one"))
                frame.key = _DISCARD
                return
            frame.key, frame.key_line = key, node.line
        else:
            if frame.key is not _DISCARD:
                if node.kind != "scalar":
                    node = dataclasses.replace(node, key_line=frame.key_line)
                frame.items[frame.key] = node
                frame.key_lines[frame.key] = frame.key_line
            frame.key = None

    for event in events:
        line = event.start_mark.line + offset
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent):
            problems.append(Problem(path, line, "(yaml)", f"alias '*{event.anchor}' is not allowed",
                                    "write the value out in full instead of referring to an anchor"))
            attach(Node("scalar", None, line, "null", ""))
            continue
        if anchor is not None:
            problems.append(Problem(path, line, "(yaml)", f"anchor '&{anchor}' is not allowed",
                                    "remove '&" + anchor + "' and write every value out in full"))
        tag = getattr(event, "tag", None)
        if tag is not None:
            problems.append(Problem(path, line, "(yaml)", f"explicit tag '{tag}' is not allowed",
                                    "remove the tag (the word starting with '!'); quote the value if it is text"))
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                problems.append(Problem(path, line, "(yaml)", "a second YAML document ('---') in one file",
                                        "one group per file; remove the extra '---' line"))
        elif isinstance(event, yaml.ScalarEvent):
            attach(_scalar(event, line))
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH and not too_deep:
                too_deep = True
                problems.append(Problem(path, line, "(yaml)", f"nested deeper than {MAX_DEPTH} levels",
                                        "a group file needs at most five levels; check the indentation"))
            stack.append(_Frame("mapping" if isinstance(event, yaml.MappingStartEvent) else "sequence", line))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = stack.pop()
            attach(Node(frame.kind, frame.items, frame.line,
                        key_lines=frame.key_lines if frame.kind == "mapping" else None))
    return root


def _scalar(event: yaml.ScalarEvent, line: int) -> Node:
    text = event.value
    if not event.implicit[0]:
        return Node("scalar", text, line, "str", text)
    tag = _SHORT_TAGS.get(_resolver.resolve(yaml.ScalarNode, text, (True, False)), "str")
    if tag == "str":
        return Node("scalar", text, line, tag, text)
    try:
        value = _CONSTRUCTORS[tag](yaml.ScalarNode("", text))
    except (ValueError, OverflowError) as exc:
        return Node("scalar", None, line, tag, text, error=str(exc))
    return Node("scalar", value, line, tag, text)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "YAML syntax error: " + ", ".join(parts)


_YAML_HINTS = (
    ("\t", "indent with spaces, never with tabs"),
    ("mapping values are not allowed", "a value contains ': '; put the whole value in quotes, e.g. nama: \"KSM Maju: Bersama\""),
    ("could not find expected ':'", "every data line is 'key: value'; look for a missing ':' or an unclosed quote on this line or the one above"),
    ("did not find expected key", "check the indentation: keys of one mapping start in the same column"),
    ("did not find expected '-'", "check the indentation of the list items"),
    ("found unexpected end of stream", "a quote or bracket is opened and never closed"),
    ("found character '@'", "a value starting with @ or ` must be in quotes"),
    ("found character '`'", "a value starting with @ or ` must be in quotes"),
)


def _yaml_hint(exc: yaml.MarkedYAMLError, bad_line: str) -> str:
    problem = exc.problem or ""
    if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or "'\\t'" in problem:
        return _YAML_HINTS[0][1]
    for needle, hint in _YAML_HINTS[1:]:
        if needle in problem:
            return hint
    return "check the indentation and the quotes on this line and the one above"
