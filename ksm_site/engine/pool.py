"""Worker processes, and what each of them is given.

A build's work per piece (parse a group file, render a group, render an
aggregate page) is independent, so it runs in a process pool
(``ProcessPoolExecutor``), or in the build's own process when there is too
little of it for a pool to pay (``Tuning.pool_min``) or only one job.

Each worker starts from a frozen ``WorkerState`` (what every task needs:
the settings, the cache folder, the output being filled), given once by
the pool's initializer, and keeps a ``Worker`` made from it: its own cache
connection and page makers. Tasks are module-level functions (a pool can
send only those) that find their process's ``Worker`` with ``worker()``,
the one per-process slot the initializer fills.

Where the platform can, the pool forks, so workers inherit the state, the
loaded templates and matplotlib without copying them. Everything the build
process holds is frozen for the garbage collector first (``gc.freeze``;
the build unfreezes it at its end), so the workers' collections never
write to, and so copy, the memory they share with it.
"""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import multiprocessing
import os
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from ..domain.model import Rubric, Site
from .cache import Reader
from .place import Target
from .tuning import Tuning


@dataclass(frozen=True)
class WorkerState:
    """What every task of a build may need, given to each worker once."""

    rubric: Rubric
    site: Site
    today: dt.date
    """Decides which dates are in the future, when a worker parses a group file."""
    cache: str
    """The build's cache folder; each worker reads it through a connection of its own."""
    compiled: str | None
    """Where the templates' compiled code is kept (see ``site/templates.py``)."""
    target: Target | None
    """The output being filled: workers place the files they make there (None for a shard)."""
    tuning: Tuning


class Worker:
    """One process's view of a build: its state, its cache connection, its page makers."""

    def __init__(self, state: WorkerState):
        from ..site.group import Makers  # what makes pages: loaded by a build that makes some

        self.state = state
        self.makers = Makers(state.rubric, state.site, state.compiled)
        self.pid = os.getpid()
        self.connection: Reader | None = None
        self.rows_read = 0
        """Table rows this worker has read from the cache (``tables.CachedRows``)."""

    def reader(self) -> Reader:
        """This process's own connection to the cache (a forked worker must not use its parent's)."""
        if self.connection is None or self.pid != os.getpid():
            self.connection, self.pid = Reader(self.state.cache), os.getpid()
        return self.connection


_worker: Worker | None = None


def start_worker(state: WorkerState) -> None:
    """The pool's initializer (and, for work done in the build's own process, the build's)."""
    global _worker
    if _worker is None or _worker.state is not state:
        _worker = Worker(state)


def worker() -> Worker:
    """The ``Worker`` of this process, for a task."""
    if _worker is None:
        raise RuntimeError("a build task ran outside a build")
    return _worker


def forks() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux"


class Pool:
    """``func`` over items with ``state`` set: in a pool of ``jobs`` processes, or here if there is little to do.

    The pool starts when a round first has enough work for it (at least
    ``minimum`` items), or when ``start`` says so, and serves every later
    round with the same state.
    """

    def __init__(self, jobs: int, state: WorkerState):
        self.jobs = jobs
        self.state = state
        self.executor: ProcessPoolExecutor | None = None

    def map(self, func: Callable, items: Iterable, chunksize: int, minimum: int, count: int | None = None) -> Iterator:
        """The results, in order. In a pool every item is sent at once, so this process can do other work
        before it takes the results (``count``: how many, if ``items`` makes them as they are taken)."""
        count = len(items) if count is None else count
        if self.here(count, minimum):
            return map(func, items)
        return self.executor.map(func, items, chunksize=chunksize)

    def each(self, func: Callable, items: Iterable, minimum: int, count: int) -> Iterator[tuple[int, object]]:
        """(position, result) of each of the ``count`` items, as they are done, so that no result waits in
        this process's memory for an earlier, longer one. Sent at once, as ``map`` sends them."""
        if self.here(count, minimum):
            return enumerate(map(func, items))
        futures = {self.executor.submit(func, item): n for n, item in enumerate(items)}
        return ((futures.pop(future), future.result()) for future in as_completed(futures))

    def here(self, count: int, minimum: int) -> bool:
        """Whether ``count`` items are done in this process (its worker started); else the pool is started."""
        if self.executor is None and (self.jobs <= 1 or count < minimum):
            start_worker(self.state)
            return True
        if self.executor is None:
            self.fork(count)
        return False

    def start(self) -> None:
        """Fork the workers now (if there are to be any), before this process reads more into memory: a
        forked process's resident size counts every page it shares with its parent."""
        if self.executor is None and self.jobs > 1:
            self.fork(self.jobs)
            self.executor.submit(int).result()  # a pool that forks starts every worker at its first task

    def fork(self, count: int) -> None:
        context = multiprocessing.get_context("fork") if forks() else None
        gc.freeze()
        self.executor = ProcessPoolExecutor(min(self.jobs, count), mp_context=context, initializer=start_worker,
                                            initargs=(self.state,))

    def lower_priority(self, niceness: int) -> None:
        """Lower the workers' priority by ``niceness`` for the rest of their lives (a process may not raise
        its priority again); where the system cannot, they keep it."""
        if self.executor is None:
            return
        for child in multiprocessing.active_children():  # the pool's workers: this process's only such children
            try:
                os.setpriority(os.PRIO_PROCESS, child.pid, os.getpriority(os.PRIO_PROCESS, child.pid) + niceness)
            except (AttributeError, OSError):  # no such call here, or the worker is gone
                pass

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None


class Aside:
    """``func()`` in a child process forked for it alone; its value (``marshal``-able) is read once.

    For work that reads much of this process's memory, such as checking the
    live output against its manifest (``place.unheld``): a pool's worker
    would copy each page it reads (reference counts are written) and keep
    it until the build ends, where this child exits. Fork only while no
    other thread runs: a lock one holds would stay held in the child.
    """

    def __init__(self, func: Callable[[], object]):
        readable, writable = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            status = 1
            try:
                os.close(readable)
                with open(writable, "wb") as f:
                    f.write(marshal.dumps(func()))
                status = 0
            finally:
                os._exit(status)  # none of this process's clean-up: it is the parent's
        os.close(writable)
        self.file = open(readable, "rb")

    def result(self) -> object | None:
        """Its value, once it has finished; None when it failed (the caller then does the work itself)."""
        data = self.file.read()
        self.file.close()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return marshal.loads(data) if os.waitstatus_to_exitcode(status) == 0 else None

    def close(self) -> None:
        """Stop it, if its result was not taken (a build that failed), and reap it."""
        if self.pid is not None:
            self.file.close()
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


def done_future(func: Callable, item) -> Future:
    """``func(item)`` done here and now, as a future."""
    done: Future = Future()
    try:
        done.set_result(func(item))
    except Exception as exc:
        done.set_exception(exc)
    return done
