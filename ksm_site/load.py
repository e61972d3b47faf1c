"""The only reader of content: find the files, split front matter, parse YAML.

YAML is parsed by libyaml (``CSafeLoader``) into events, and the events are
composed here into a small tree of ``Node`` values that remember their line.
Composing ourselves, rather than letting PyYAML construct Python objects,
is what lets us

* give every value its line number, so every problem names its line;
* refuse duplicate keys (PyYAML silently keeps the last one);
* refuse anchors, aliases and explicit tags outright: an alias bomb never
  expands, ``!!python/...`` never constructs anything;
* stop reading a file as soon as it is nested deeper or holds more values
  than any group file needs, so no file of at most 1 MiB costs more than a
  few milliseconds to refuse;
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
from functools import lru_cache
from typing import Any

import yaml

from .errors import FILE_FIELD, Problem, char_label

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 12
"""Deepest nesting accepted; a valid group file needs five levels."""
MAX_NODES = 10_000
"""Most values (keys, scalars, lists, mappings) one file may hold. The
largest sample group file holds under 300; 10,000 is some forty years of
monthly assessments. Reading stops at the limit, so a 1 MiB file of tiny
values is refused in milliseconds instead of being composed and checked."""

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


@dataclass(slots=True)
class Node:
    """A YAML value with its line.

    ``kind`` is ``scalar``, ``mapping`` or ``sequence``. A scalar's ``value``
    is the Python value (``str``, ``int``, ``float``, ``bool``, ``None``,
    ``date``/``datetime``), its ``tag`` the short name of its YAML type
    (``str``, ``int``, ...) and ``text`` what was written. A mapping's
    ``value`` is a ``dict`` of key text to ``Node`` and ``key_lines`` the line
    of each key; a sequence's ``value`` is a ``list`` of ``Node``. ``error`` is
    set when a scalar could not be constructed (an impossible date).

    Not ``frozen``: a frozen dataclass sets each field through
    ``object.__setattr__``, which made the hundred-odd values of a group
    file a fifth of the time it takes to read and check it. Nothing changes a
    ``Node`` once ``_compose`` has made it (``dataclasses.replace`` makes another).
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
    rubric, site = (read_settings_document(content_dir, name, problems) for name in ("rubric.yaml", "site.yaml"))
    groups = [read_document(path, group_id, problems) for path, group_id in discover_groups(content_dir, problems)]
    return Content(rubric, site, tuple(groups), tuple(problems))


def read_settings_text(content_dir: str, name: str, problems: list[Problem]) -> tuple[str, str | None]:
    """The path and text of ``rubric.yaml`` or ``site.yaml`` (None after reporting why not)."""
    path = os.path.join(content_dir, name)
    if not _inside(path, os.path.realpath(content_dir), problems):
        return path, None
    return path, read_text(path, problems)


def read_settings_document(content_dir: str, name: str, problems: list[Problem]) -> Document:
    path, text = read_settings_text(content_dir, name, problems)
    return Document(path, "", None) if text is None else parse_document(path, "", text, problems)


def discover_groups(content_dir: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """Every group file under ``groups/`` as ``(path, id)``, sorted by path; problems go to ``problems``.

    Two files with one id (``a.md`` and ``a.yaml``) are both reported and both
    left out. A build reads and hashes them itself, and parses only those its
    cache does not hold.
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


def parse_yaml(text: str, path: str, first_line: int, problems: list[Problem]) -> Node | None:
    """Compose ``text`` into a ``Node`` tree; on any problem report it and return None.

    ``first_line`` is the file line that the text's first line stands on. An
    empty document is a null scalar, so that None always means "reported".
    Events are composed as libyaml produces them, so the problems found
    before a syntax error are reported with it, and reading stops at the
    first value past ``MAX_DEPTH`` or ``MAX_NODES``.
    """
    offset = first_line
    found: list[Problem] = []
    try:
        root = _compose(yaml.parse(text, Loader=yaml.CSafeLoader), path, offset, found)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context in _UNCLOSED and exc.context_mark is not None:
            mark = exc.context_mark  # where the quote or bracket was opened, not where the file ended
        line = mark.line + offset if mark else offset
        lines = text.split("\n")
        bad_line = lines[mark.line] if mark and mark.line < len(lines) else ""
        column = mark.column if mark else 0
        found.append(Problem(path, line, "(yaml)", _yaml_message(exc, bad_line, column),
                             _yaml_hint(exc, bad_line, column)))
    except yaml.YAMLError as exc:
        found.append(Problem(path, offset, "(yaml)", str(exc).splitlines()[0], ""))
    problems.extend(found)
    if found:
        return None
    return root if root is not None else Node("scalar", None, offset, "null")


class _Frame:
    __slots__ = ("kind", "items", "line", "key", "key_line", "key_lines", "field")

    def __init__(self, kind: str, line: int, field: str):
        self.kind = kind
        self.line = line
        self.field = field
        """Where this collection is, named as validation names fields: ``penilaian[1].indikator``."""
        self.items: Any = {} if kind == "mapping" else []
        self.key: str | None = None
        self.key_line = 0
        self.key_lines: dict[str, int] = {}


_DISCARD = object()

_SCALAR, _ALIAS, _END, _DOCUMENT = "scalar", "alias", "end", "document"
_EVENTS = {
    yaml.ScalarEvent: _SCALAR, yaml.AliasEvent: _ALIAS, yaml.MappingStartEvent: "mapping",
    yaml.SequenceStartEvent: "sequence", yaml.MappingEndEvent: _END, yaml.SequenceEndEvent: _END,
    yaml.DocumentStartEvent: _DOCUMENT,
}
"""The parser's events that ``_compose`` acts on, by their exact type: one dict lookup per event instead
of a chain of ``isinstance`` calls (7 % of the time it takes to read and check a group file). The kind of
a collection that starts is its ``_Frame``'s kind."""


def _compose(events, path: str, offset: int, problems: list[Problem]) -> Node | None:
    """Build the ``Node`` tree from parser events; stop early at a limit (with a problem)."""
    root: Node | None = None
    stack: list[_Frame] = []
    documents = 0
    nodes = 0
    aliases: set[str] = set()

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
                problems.append(Problem(path, node.line, _child_field(frame, key), "duplicate key",
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
        kind = _EVENTS.get(type(event))
        if kind is None:  # the stream's and the document's end
            continue
        line = event.start_mark.line + offset
        if kind is not _DOCUMENT and kind is not _END:
            nodes += 1
            if nodes > MAX_NODES:
                problems.append(Problem(path, line, "(yaml)", f"the file holds more than {MAX_NODES:,} values",
                                        "a group file holds a few hundred; remove pasted or repeated data"))
                return None
            if kind is _ALIAS:
                if event.anchor not in aliases:  # one problem per name: an alias bomb repeats a few names
                    aliases.add(event.anchor)
                    problems.append(Problem(path, line, "(yaml)", f"alias '*{event.anchor}' is not allowed",
                                            "write the value out in full instead of referring to an anchor"))
                attach(Node("scalar", None, line, "null", ""))
                continue
            if event.anchor is not None:
                problems.append(Problem(path, line, "(yaml)", f"anchor '&{event.anchor}' is not allowed",
                                        "remove '&" + event.anchor + "' and write every value out in full"))
            if event.tag is not None:
                problems.append(Problem(path, line, "(yaml)", f"explicit tag '{event.tag}' is not allowed",
                                        "remove the tag (the word starting with '!'); quote the value if it is text"))
        if kind is _SCALAR:
            attach(_scalar(event, line))
        elif kind is _END:
            frame = stack.pop()
            attach(Node(frame.kind, frame.items, frame.line,
                        key_lines=frame.key_lines if frame.kind == "mapping" else None))
        elif kind is _DOCUMENT:
            documents += 1
            if documents > 1:
                problems.append(Problem(path, line, "(yaml)", "a second YAML document ('---') in one file",
                                        "one group per file; remove the extra '---' line"))
        else:  # a mapping or a list starts
            if len(stack) >= MAX_DEPTH:
                problems.append(Problem(path, line, "(yaml)", f"nested deeper than {MAX_DEPTH} levels",
                                        "a group file needs at most five levels; check the indentation"))
                return None
            parent = stack[-1] if stack else None
            field = "" if parent is None else _child_field(parent, parent.key)
            stack.append(_Frame(kind, line, field))
    return root


def _child_field(frame: _Frame, key) -> str:
    """The field name of the next value in ``frame``: ``mitra[2]`` in a list, ``wilayah.kota`` in a mapping."""
    if frame.kind == "sequence":
        return f"{frame.field}[{len(frame.items) + 1}]"
    if not isinstance(key, str):  # a key being read, or one already refused
        return frame.field or "(yaml)"
    return f"{frame.field}.{key}" if frame.field else key


def _scalar(event: yaml.ScalarEvent, line: int) -> Node:
    text = event.value
    if not event.implicit[0]:
        return Node("scalar", text, line, "str", text)
    tag, value, error = _resolve(text)
    return Node("scalar", value, line, tag, text, error=error)


@lru_cache(maxsize=8192)
def _resolve(text: str) -> tuple[str, Any, str]:
    """(short tag, value, error) of a plain scalar: the same few hundred texts (levels, dates,
    percentages, names) recur in every file, and resolving one runs a dozen regular expressions.
    Every value kept is immutable (str, int, float, bool, None, date, datetime)."""
    tag = _SHORT_TAGS.get(_resolver.resolve(yaml.ScalarNode, text, (True, False)), "str")
    if tag == "str":
        return tag, text, ""
    try:
        return tag, _CONSTRUCTORS[tag](yaml.ScalarNode("", text)), ""
    except (ValueError, OverflowError) as exc:
        return tag, None, str(exc)


def _yaml_message(exc: yaml.MarkedYAMLError, bad_line: str, column: int) -> str:
    problem = exc.problem or ""
    if problem == "found character that cannot start any token" and column < len(bad_line):
        # libyaml leaves the character out; PyYAML's pure-Python scanner names it.
        problem = f"found character {bad_line[column]!r} that cannot start any token"
    parts = [p for p in (exc.context, problem) if p]
    return "YAML syntax error: " + ", ".join(parts)


_YAML_HINTS = (
    ("mapping values are not allowed", "a value contains ': '; put the whole value in quotes, e.g. nama: \"KSM Maju: Bersama\""),
    ("could not find expected ':'", "every data line is 'key: value'; look for a missing ':' or an unclosed quote on this line or the one above"),
    ("did not find expected key", "check the indentation: keys of one mapping start in the same column"),
    ("did not find expected '-'", "check the indentation of the list items"),
    ("found unexpected end of stream", "a quote or bracket is opened and never closed"),
    ("exceeded maximum nesting depth", "a group file needs at most five levels; look for brackets opened and never closed"),
)


_UNCLOSED = {
    "while scanning a quoted scalar": "the quote opened here is never closed",
    "while parsing a flow sequence": "the '[' opened here is never closed, or a ',' is missing between its items",
    "while parsing a flow mapping": "the '{' opened here is never closed, or a ',' is missing between its items",
}
"""libyaml contexts of a quote or bracket left open; the problem is reported where it was opened."""


def _yaml_hint(exc: yaml.MarkedYAMLError, bad_line: str, column: int) -> str:
    problem = exc.problem or ""
    if exc.context in _UNCLOSED and exc.context_mark is not None:
        return _UNCLOSED[exc.context]
    if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or "'\\t'" in problem or "tab" in problem:
        return "indent with spaces, never with tabs"
    if "cannot start any token" in problem and column < len(bad_line):
        value = bad_line[column:].strip()
        quote = "'" if '"' in value else '"'
        return (f"a value starting with {bad_line[column]} must be in quotes: "
                f"{bad_line[:column].strip()} {quote}{value}{quote}".replace("  ", " "))
    for needle, hint in _YAML_HINTS:
        if needle in problem:
            return hint
    return "check the indentation and the quotes on this line and the one above"
