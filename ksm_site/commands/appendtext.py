"""An existing group file's text with new assessments appended, every other byte kept.

Used by `import`. The new items are inserted as text after the last line of
the ``penilaian`` list, found from the YAML nodes' positions (PyYAML
``compose``: start and end line and column of every node), and indented like
the items already there. Comments, blank lines, flow or block style, the
story and the line endings stay as they were. ``penilaian: []``, ``~`` or an
empty ``penilaian:`` becomes a block list; a missing one is added at the end
of the data. A non-empty list written on one line (``[{...}]``) is not
edited: ``appended_text`` returns None and the caller reports it.

This module owns only the text surgery; which items to add, and whether the
result passes ``check``, is the importer's business.
"""

from __future__ import annotations

import yaml

from ..content.yamltext import Line, assessment_lines

Origins = dict[int, tuple[int, str]]
"""Line number in the new text -> (spreadsheet row, column key) that wrote it."""


def line_origins(lines: list[Line], first_line: int, row: int) -> Origins:
    """The origin of each of ``lines``, written from ``row`` starting at line ``first_line``."""
    return {first_line + n: (row, line.key) for n, line in enumerate(lines)}


def appended_text(path: str, text: str, body_line: int, items: list[tuple[int, dict]],
                  first_row: int) -> tuple[str, Origins] | None:
    """``text`` with ``items`` ((row, item) pairs) appended to its ``penilaian`` list, and each new line's origin.

    ``body_line`` is the line where a ``.md`` file's story starts (``Document.body_line``);
    ``first_row`` is the origin of a ``penilaian:`` line that has to be added. None when the
    list is written on one line and cannot be added to.
    """
    lines = text.split("\n")
    if path.endswith(".md"):
        yaml_first, yaml_end = 1, body_line - 2  # lines[1:yaml_end] are the front matter
    else:
        yaml_first, yaml_end = 0, len(lines) - (1 if text.endswith("\n") else 0)
    yaml_lines = lines[yaml_first:yaml_end]
    root = yaml.compose("\n".join(yaml_lines), Loader=yaml.CSafeLoader)
    key, value = next(((k, v) for k, v in root.value if k.value == "penilaian"), (None, None))

    head: list[str] = []
    if value is None:  # no penilaian key: add one after the data
        at, dash, gap, step = yaml_first + len(yaml_lines) - 1, 2, 2, 2
        head = ["penilaian:"]
    elif isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
        first = value.value[0]
        dash = value.start_mark.column
        gap = first.start_mark.column - dash if isinstance(first, yaml.MappingNode) else 2
        step = _indent_step(first) or 2
        at = yaml_first + _after_list(value, yaml_lines, dash)
    elif isinstance(value, yaml.ScalarNode) and value.value == "":  # penilaian: (empty)
        at, dash, gap, step = yaml_first + key.start_mark.line, key.start_mark.column + 2, 2, 2
    elif ((isinstance(value, yaml.SequenceNode) and not value.value) or value.tag == "tag:yaml.org,2002:null") \
            and value.start_mark.line == value.end_mark.line == key.start_mark.line:  # [] or ~ or null
        at, dash, gap, step = yaml_first + key.start_mark.line, key.start_mark.column + 2, 2, 2
        line = lines[at]
        lines[at] = line[:value.start_mark.column].rstrip() + line[value.end_mark.column:]
    else:
        return None

    new_lines = list(head)
    origins: Origins = {}
    if head:
        origins[at + 2] = (first_row, "")
    for row, item in items:
        rendered = assessment_lines(item, dash=dash, step=step, gap=gap)
        origins.update(line_origins(rendered, at + 2 + len(new_lines), row))
        new_lines += [line.text for line in rendered]
    lines[at + 1:at + 1] = new_lines
    return "\n".join(lines), origins


def _indent_step(item: yaml.Node) -> int | None:
    """How much deeper the indicators sit than their ``indikator`` key, in the first existing item."""
    if not isinstance(item, yaml.MappingNode):
        return None
    for key, value in item.value:
        if key.value == "indikator" and isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
            return value.value[0][0].start_mark.column - key.start_mark.column
    return None


def _after_list(sequence: yaml.SequenceNode, yaml_lines: list[str], dash: int) -> int:
    """The last line (0-based, in the YAML) of a block list: its last value, and comments indented under it."""
    last = _last_line(sequence.value[-1], yaml_lines)
    while last + 1 < len(yaml_lines):
        following = yaml_lines[last + 1]
        indent = len(following) - len(following.lstrip())
        if not following.lstrip().startswith("#") or indent <= dash:
            break
        last += 1
    return last


def _last_line(node: yaml.Node, yaml_lines: list[str]) -> int:
    """The last line that holds part of ``node``'s text (0-based)."""
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark
        line = end.line if end.column > 0 or end.line == node.start_mark.line else end.line - 1
        if node.style in ("|", ">") and not node.value.endswith("\n\n"):
            # the scalar's end mark follows its trailing blank lines; unless it keeps them ('|+'),
            # they are not part of it, and a new item goes before them
            while line > node.start_mark.line and not yaml_lines[line].strip():
                line -= 1
        return line
    if node.flow_style:
        return node.end_mark.line
    if isinstance(node, yaml.SequenceNode):
        return max(_last_line(child, yaml_lines) for child in node.value)
    last = node.start_mark.line
    for key, value in node.value:
        last = max(last, _last_line(key, yaml_lines))
        empty = isinstance(value, yaml.ScalarNode) and value.value == "" and value.style is None
        if not empty:
            last = max(last, _last_line(value, yaml_lines))
    return last
