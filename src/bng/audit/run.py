"""The audit on Dask: a LocalCluster of worker processes by default, or an existing cluster's scheduler.

Items go to the workers a few at a time (four per worker thread in flight), not all at once, so
the scheduler's memory and the journal's lag stay bounded however many files there are; each
result is written to the journal as it arrives and released. Each LocalCluster worker is a process
with one thread and a memory limit: a file that drives a worker past it gets the worker restarted
by its nanny, and the file becomes a row saying so (the scheduler gives up on a task at the first
worker it kills, ``distributed.scheduler.allowed-failures`` = 0), while the run goes on. On an
existing cluster the workers must see the same paths as this machine (a shared file system).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from .journal import Journal
from .sources import Item
from .task import COLUMNS, audit_item

IN_FLIGHT_PER_THREAD = 4


@dataclass
class Outcome:
    """What one run of the audit did: how many items, how many already done, how long, on how many workers."""

    total: int  # items in this audit
    already: int  # found done in the journal
    audited: int  # audited by this run
    errors: int  # rows of this run that are errors
    seconds: float  # from the first submission to the last result
    workers: int  # worker threads the cluster had
    interrupted: bool = False


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line every tenth otherwise."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        """A bar of ``total`` items, on ``stream`` (stderr by default)."""
        self.total, self.done, self.errors = total, 0, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self._next_line = 0.0

    def update(self, row: dict[str, Any]) -> None:
        """Count one finished row (an error counts apart)."""
        self.done += 1
        self.errors += row.get("status") == "error"
        if self.tty:
            self.stream.write("\r" + self.line())
            self.stream.flush()
        elif self.done / max(self.total, 1) >= self._next_line or self.done == self.total:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self._next_line = self.done / max(self.total, 1) + 0.1

    def line(self) -> str:
        """The bar as one line: done, could not be checked, rate and time left."""
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        return (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,} "
            f"({self.errors:,} could not be checked) {rate:.1f}/s, {_clock(left)} left"
        )

    def close(self) -> None:
        """End the redrawn line, so that what is printed next starts on a line of its own."""
        if self.tty and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def failed_row(item: Item, err: BaseException, memory_limit: str | None) -> dict[str, Any]:
    """The row of an item whose task did not return (its worker died, or the cluster failed)."""
    from distributed.scheduler import KilledWorker

    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row |= {"source": item.key, "kind": item.kind, "fingerprint": item.fingerprint, "status": "error"}
    if isinstance(err, KilledWorker):
        limit = f" (its limit is {memory_limit})" if memory_limit else ""
        row |= {
            "error": f"the worker auditing this file died: it used more memory than allowed{limit}, or crashed",
            "error_code": "WORKER_DIED",
        }
    else:
        row |= {"error": f"{type(err).__name__}: {err}", "error_code": type(err).__name__}
    return row


def run_audit(
    items: list[Item],
    journal: Journal,
    *,
    scheduler: str | None = None,
    workers: int = 1,
    memory_limit: str = "2GiB",
    target: float | None = None,
    progress: Callable[[int], Progress] = Progress,
) -> Outcome:
    """Audit the items the journal does not already hold; append each row to it as it comes."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    todo = [i for i in items if not journal.done(i.key, i.fingerprint)]
    outcome = Outcome(len(items), len(items) - len(todo), 0, 0, 0.0, 0)
    if not todo:
        return outcome
    config = {"distributed.scheduler.allowed-failures": 0, "distributed.worker.daemon": False}
    with ExitStack() as stack:
        stack.enter_context(dask.config.set(config))
        if scheduler:
            client = stack.enter_context(Client(scheduler, timeout="30s"))
            client.wait_for_workers(1, timeout=60)  # a scheduler with no workers would wait for ever
            limit = None
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    memory_limit=memory_limit,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(Client(cluster))
            limit = memory_limit
        threads = sum(client.nthreads().values()) or 1
        outcome.workers = threads
        bar = progress(len(todo))  # started once the cluster is up: its rate is the audit's
        queue: Iterator[Item] = iter(todo)
        running: dict[Any, Item] = {}
        pending = as_completed()

        def submit(item: Item) -> None:
            future = client.submit(audit_item, item, target, pure=False)
            running[future] = item
            pending.add(future)

        start = time.monotonic()
        try:
            for item in islice(queue, threads * IN_FLIGHT_PER_THREAD):
                submit(item)
            for future in pending:
                item = running.pop(future)
                try:
                    row = future.result()
                except Exception as err:  # the task did not return: its worker died, or the cluster failed
                    row = failed_row(item, err, limit)
                future.release()
                journal.append(row)
                outcome.audited += 1
                outcome.errors += row.get("status") == "error"
                bar.update(row)
                following = next(queue, None)
                if following is not None:
                    submit(following)
        except KeyboardInterrupt:
            outcome.interrupted = True
            for future in running:
                future.cancel()
        finally:
            outcome.seconds = time.monotonic() - start
            bar.close()
            journal.sync()
    return outcome
