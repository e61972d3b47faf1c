"""`serve`: builds, serves on 127.0.0.1, rebuilds on change, keeps the last good site on errors."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from conftest import ROOT, VALID_GROUP, write_content

GROUP = "groups/kota-madiun/taman/ksm-uji-coba.md"
TIMEOUT = 30


class Server:
    """`python build.py serve` in a subprocess, its log lines in a queue."""

    def __init__(self, content, out):
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(ROOT / "build.py"), "serve", "--content", str(content), "--out", str(out),
             "--port", "0", "--interval", "0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = re.search(r"at (http://127\.0\.0\.1:\d+/)", self.wait_for("Serving ")).group(1)

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, words: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if words in line:
                return line
        raise AssertionError(f"the server never said {words!r}")

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=TIMEOUT) as response:
            return response.read().decode()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=TIMEOUT)


@pytest.fixture
def server(tmp_path):
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    running = Server(content, tmp_path / "out")
    yield running, content
    running.stop()


def test_serves_rebuilds_on_change_and_keeps_the_last_good_site(server):
    running, content = server
    assert running.url.startswith("http://127.0.0.1:")
    page = "kelompok/kota-madiun/taman/ksm-uji-coba/index.html"
    assert "KSM Uji Coba" in running.get("index.html")

    (content / GROUP).write_text(VALID_GROUP.replace("nama: KSM Uji Coba", "nama: KSM Ganti Nama"))
    running.wait_for("Changed; rebuilding")
    running.wait_for("Built 1 groups")
    assert "KSM Ganti Nama" in running.get(page)

    (content / GROUP).write_text(VALID_GROUP.replace("anggota: 10", "anggota: sepuluh"))
    running.wait_for("anggota: 'sepuluh' is not a whole number")
    running.wait_for("Not rebuilt: the previous site is still served")
    assert "KSM Ganti Nama" in running.get(page)
    assert running.process.poll() is None  # still running

    (content / GROUP).write_text(VALID_GROUP)
    running.wait_for("Built 1 groups")
    assert "KSM Uji Coba" in running.get(page)


def test_a_port_in_use_is_a_usage_error(tmp_path, capsys):
    import socket

    from ksm_site.commands.cli import main
    content = write_content(tmp_path, {GROUP: VALID_GROUP})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--content", str(content), "--out", str(tmp_path / "out"), "--port", str(port)]) == 2
    assert f"cannot serve on port {port}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
