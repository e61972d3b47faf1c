"""Nothing lost: the published site is replaced whole or not at all, builds never interleave,
and neither ``build`` nor ``check`` touches the content.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ksm_site.content.problems import ContentError
from ksm_site.engine import write
from ksm_site.engine.build import build
from ksm_site.engine.write import write_site
from ksm_site.site import group as group_module

from conftest import ROOT, TODAY, VALID_GROUP, files_under, write_content

GROUP = "groups/kota-madiun/taman/ksm-uji-coba.md"
OTHER = "groups/kota-madiun/taman/ksm-dua.md"


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: its kind, bytes (as a hash), mode and modification time."""
    result = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        data = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else ""
        result[str(path.relative_to(folder))] = (path.is_dir(), path.is_symlink(), data, st.st_mode, st.st_mtime_ns)
    return result


def siblings(out: Path) -> list[str]:
    """What lies next to the output folder: the output, its lock, and never a temporary folder."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith((".out", "out")))


@pytest.fixture
def built(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP, OTHER: VALID_GROUP.replace("KSM Uji Coba", "KSM Dua")})
    out = tmp_path / "out"
    build(str(content), str(out), TODAY, jobs=1)
    return content, out, snapshot(out)


def test_a_content_error_leaves_the_previous_output_byte_identical(built):
    content, out, before = built
    (content / OTHER).write_text(VALID_GROUP.replace("kehadiran: 72%", "kehadiran: 72"))
    with pytest.raises(ContentError):
        build(str(content), str(out), TODAY, jobs=1)
    assert snapshot(out) == before
    assert siblings(out) == [".out.lock", "out"]


def test_a_crash_in_the_middle_of_rendering_leaves_the_previous_output(built, monkeypatch):
    content, out, before = built
    (content / GROUP).write_text(VALID_GROUP.replace("anggota: 10", "anggota: 11"))
    rendered = []
    real_group = group_module.group_page

    def group_then_crash(m, g, *args):
        rendered.append(g.id)
        if len(rendered) == 2:
            raise RuntimeError("injected crash while rendering the second group page")
        return real_group(m, g, *args)

    monkeypatch.setattr(group_module, "group_page", group_then_crash)
    with pytest.raises(RuntimeError, match="injected crash"):
        build(str(content), str(out), TODAY, jobs=1)
    assert len(rendered) == 2  # the crash came after a page had been rendered
    assert snapshot(out) == before
    assert siblings(out) == [".out.lock", "out"]


class InterruptedAt(dict):
    """Files whose ``n``-th read raises, as if the writer were killed (KeyboardInterrupt) half-way."""

    def __init__(self, files, n):
        super().__init__(files)
        self.left = n

    def __getitem__(self, key):
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt
        return super().__getitem__(key)


def test_an_interrupt_in_the_middle_of_writing_leaves_the_previous_output(built):
    content, out, before = built
    build(str(content), str(out.parent / "elsewhere"), TODAY, jobs=1)
    files = {path: data + b"<!-- changed -->" for path, data in files_under(out.parent / "elsewhere").items()}
    with pytest.raises(KeyboardInterrupt):
        write_site(InterruptedAt(files, len(files) // 2), str(out))
    assert snapshot(out) == before
    assert siblings(out) == [".out.lock", "out"]


# --------------------------------------------------------------------------
# Two builds into one output folder


WRITER = textwrap.dedent('''
    """One build into argv[1]: every file holds argv[2]. It notes in the log argv[4] when it takes its first
    and its last file, both while it holds the lock; after its first, it waits (a while) to see the other
    build begin, which only a build that did not wait for the lock would.
    """
    import os, sys, time
    sys.path.insert(0, os.environ["KSM_ROOT"])
    from ksm_site.engine.write import write_site

    out, tag, go, log = sys.argv[1:]

    def note(event):
        with open(log, "a") as f:
            f.write(f"{tag} {event}\\n")

    class Noted(dict):
        def __getitem__(self, key):
            if key == "page-00/index.html":
                note("first")
                for _ in range(100):  # a second: far more than the other build takes to reach its first file
                    if any(line.endswith("first") and not line.startswith(tag) for line in open(log).read().split("\\n")):
                        break
                    time.sleep(0.01)
            if key == "page-29/index.html":
                note("last")
            return super().__getitem__(key)

    open(go + "." + tag, "w").close()  # ready
    while not os.path.exists(go):
        time.sleep(0.005)
    write_site(Noted({f"page-{n:02}/index.html": f"{tag} {n}".encode() for n in range(30)}), out)
''')


def test_two_builds_into_one_folder_never_interleave(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    out, go, log = tmp_path / "out", tmp_path / "go", tmp_path / "log"
    log.touch()
    write_site({"page-00/index.html": b"first"}, str(out))  # a previous site, to be replaced
    env = {**os.environ, "KSM_ROOT": str(ROOT)}
    procs = {tag: subprocess.Popen([sys.executable, str(script), str(out), tag, str(go), str(log)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for tag in ("A", "B")}
    for _ in range(3000):  # both are ready
        if all(Path(f"{go}.{tag}").exists() for tag in procs):
            break
        time.sleep(0.01)
    go.touch()  # both start writing now
    for tag, proc in procs.items():
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
    events = log.read_text().split()
    first, second = events[0], "B" if events[0] == "A" else "A"
    assert log.read_text().splitlines() == [f"{first} first", f"{first} last", f"{second} first", f"{second} last"]
    pages = {str(p.relative_to(out)): p.read_text() for p in out.rglob("*.html")}
    winner = pages["page-00/index.html"].split()[0]
    assert pages == {f"page-{n:02}/index.html": f"{winner} {n}" for n in range(30)}  # one build, complete
    assert siblings(out) == [".out.lock", "out"]


# --------------------------------------------------------------------------
# The content is read, never written


@pytest.mark.parametrize("broken", [False, True])
def test_build_and_check_never_modify_the_content(tmp_path, broken):
    files = {GROUP: VALID_GROUP, OTHER: VALID_GROUP.replace("KSM Uji Coba", "KSM Dua"),
             "groups/kota-madiun/ksm-tiga.yaml": VALID_GROUP.split("---\n")[1]}
    if broken:
        files[OTHER] = VALID_GROUP.replace("anggota: 10", "anggota: &a 10\nketua: *a")
    content = write_content(tmp_path, files)
    before = snapshot(content)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    for command in (["check"], ["build", "--out", str(tmp_path / "out"), "--jobs", "1"]):
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), *command, "--content", str(content)],
                                capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == (1 if broken else 0), result.stderr
        assert "Traceback" not in result.stderr
    assert snapshot(content) == before
    assert (tmp_path / "out").exists() is not broken


def test_a_file_is_placed_over_whatever_stands_in_its_way(tmp_path):
    """A folder being filled may hold what a killed build left: files go in all the same, made whole."""
    staging = write.begin(str(tmp_path / "out"), None)
    try:
        fresh = Path(staging.target.fresh)
        (fresh / "kelompok").write_text("a file where a folder goes")
        (fresh / "en" / "index.html" / "deep").mkdir(parents=True)  # a folder where a file goes
        (fresh / "data").mkdir()
        (fresh / "data" / "groups.json").write_bytes(b"stale, and longer than what replaces it")
        placed = {relpath: (f"page {n}".encode() * 500)[: 700 + n] for n, relpath in enumerate(
            ("kelompok/a/b/index.html", "en/index.html", "data/groups.json", "wilayah/x/index.html"))}
        for relpath, data in placed.items():
            entry, wrote = write.place(staging.target, relpath, hashlib.sha256(data).hexdigest(), data)
            path = fresh / relpath
            st = path.lstat()
            assert wrote and path.read_bytes() == data
            assert entry == (hashlib.sha256(data).hexdigest(), st.st_ino, st.st_size, st.st_mtime_ns)
            assert st.st_mode & 0o777 == 0o666 & ~_umask()
    finally:
        write.abort(staging)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
