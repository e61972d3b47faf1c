"""`serve`: a local preview that rebuilds when content or templates change.

It builds once, serves the output folder on 127.0.0.1 (never on other
interfaces: this is a preview, not a server), and then looks at the
modification times and sizes of every file under the content folder and
``templates/`` every ``interval`` seconds (1 by default). When anything
changed, was added or removed, it builds again. No file-watching library:
polling a few hundred files once a second costs nothing.

A build with content errors prints them and publishes nothing, so the
previous site stays served until the content is valid again (the writer
swaps in a finished folder, so a page is never read half-written). The
served folder is looked up by name on every request, which is what makes a
swapped-in folder visible at once.

"Today" is read for every build, only to tell dates in the future, as
``check`` does.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import threading
from typing import Callable, TextIO

from ..content.problems import ContentError
from ..engine.build import build
from ..engine.place import OutputError
from ..site.limits import SearchIndexError
from ..site.theme import TEMPLATES
from .report import text_report

HOST = "127.0.0.1"


def snapshot(folders: tuple[str, ...]) -> tuple:
    """What polling compares: every file's path, mtime and size under ``folders``, sorted."""
    found = []
    for folder in folders:
        for dirpath, dirnames, names in os.walk(folder):
            dirnames.sort()
            for name in sorted(names):
                path = os.path.join(dirpath, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue  # removed while we looked; the next poll sees it gone
                found.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        """Requests are not logged: the terminal is for build results."""


class Preview:
    """The server and the rebuild loop; ``run`` blocks until ``stop`` is called (or Ctrl-C)."""

    def __init__(self, content_dir: str, out_dir: str, port: int, interval: float, log: TextIO,
                 today: Callable[[], dt.date] = dt.date.today, colour: bool = False):
        self.content_dir = content_dir
        self.out_dir = os.path.abspath(out_dir)
        self.interval = interval
        self.log = log
        self.today = today
        self.colour = colour
        self.watched = (content_dir, TEMPLATES)
        self._stopped = threading.Event()
        handler = functools.partial(_Handler, directory=self.out_dir)
        self.server = http.server.ThreadingHTTPServer((HOST, port), handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def rebuild(self) -> bool:
        """Build once; print the result or the problems. True when the site was published."""
        try:
            checked, stats = build(self.content_dir, self.out_dir, self.today(), jobs=1)
        except ContentError as exc:
            self.log.write(text_report(exc.problems, self.colour))
            self.log.write("Not rebuilt: the previous site is still served.\n")
            self.log.flush()
            return False
        except (OutputError, SearchIndexError) as exc:
            self.log.write(f"error: {exc}; the previous site is still served\n")
            self.log.flush()
            return False
        self.log.write(f"Built {len(checked.groups)} groups: {stats.written} files written, "
                       f"{stats.unchanged} unchanged.\n")
        self.log.flush()
        return True

    def run(self) -> None:
        state = snapshot(self.watched)
        self.rebuild()
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.log.write(f"Serving {self.out_dir} at {self.url} (Ctrl-C to stop)\n")
        self.log.flush()
        try:
            while not self._stopped.wait(self.interval):
                current = snapshot(self.watched)
                if current != state:
                    state = current
                    self.log.write("Changed; rebuilding...\n")
                    self.rebuild()
        finally:
            self.server.shutdown()
            self.server.server_close()

    def stop(self) -> None:
        self._stopped.set()
