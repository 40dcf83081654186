"""A COMMIT whose answer is lost: PostgreSQL has committed, the connection breaks before the service
hears so. The row is in the database, so its file must stay: the unit of work may neither remove the
staged file (as after a rollback) nor assume the commit happened; the sweep settles it from the rows.

The fault is real: the register talks to PostgreSQL through a TCP relay that, once armed, passes the
client's COMMIT on, waits for the server's answer and then closes the client's side instead of passing
the answer back, as a network cut or a killed database host would. (The kill -9 fault test,
``benchmarks/crash.py``, met this case when PostgreSQL was killed in the middle of commits.)"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bng.db.database import Database
from bng.db.filestore import LocalFileStore
from bng.register import samples
from bng.register.core.errors import Conflict
from bng.register.core.model import StoredFile
from bng.register.core.uploads import store_bytes
from tests.db.fixtures import Register

COMMIT = b"COMMIT\x00"  # the statement in the message psycopg sends for COMMIT (simple or extended)


class CutAfterCommit:
    """A relay to PostgreSQL that, once armed, lets one COMMIT through and loses its answer."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.armed = threading.Event()
        self.cut = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            committing = threading.Event()
            threading.Thread(target=self._to_server, args=(client, server, committing), daemon=True).start()
            threading.Thread(target=self._to_client, args=(server, client, committing), daemon=True).start()

    def _to_server(self, client: socket.socket, server: socket.socket, committing: threading.Event) -> None:
        try:
            while data := client.recv(65536):
                if COMMIT in data and self.armed.is_set():
                    self.armed.clear()
                    committing.set()  # before the COMMIT goes: its answer must not come back
                server.sendall(data)
        except OSError:
            pass

    def _to_client(self, server: socket.socket, client: socket.socket, committing: threading.Event) -> None:
        try:
            while data := server.recv(65536):
                if committing.is_set():  # the server's answer: committed ("C" … "Z"), never passed back
                    self.cut.set()
                    break
                client.sendall(data)
        except OSError:
            pass
        for s in (client, server):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self.listener.close()


@contextmanager
def _relayed(url: str) -> Iterator[tuple[CutAfterCommit, str]]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    relay = CutAfterCommit(parts.hostname, parts.port)
    netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{relay.port}")
    try:
        yield relay, urlunsplit(parts._replace(netloc=netloc))
    finally:
        relay.close()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_commit_whose_answer_is_lost_keeps_its_file_for_the_sweep(register: Register) -> None:
    store = LocalFileStore(register.files)
    data = samples.pdf("Title register, committed with its answer lost")
    with _relayed(register.url) as (relay, url):
        database = Database(url)
        try:
            with pytest.raises(DBAPIError) as caught, database(write=True) as uow:
                key = store_bytes(uow, store, data)
                uow.add(StoredFile(key, "ownership", "t.pdf", "application/pdf", len(data), "0" * 64, register.clock()))
                uow.flush()
                relay.armed.set()
                uow.commit()
        finally:
            database.dispose()
    assert relay.cut.is_set() and caught.value.connection_invalidated
    with register.database.engine.connect() as conn:  # the commit was made
        assert conn.execute(text("SELECT count(*) FROM stored_file WHERE key = :k"), {"k": key}).scalar_one() == 1
    assert [k for k, _, _ in store.staged()] == [key]  # its file neither removed nor published
    assert store.get(key) == data  # and readable meanwhile
    swept = register.database.sweep(store)  # the next start-up
    assert swept is not None and swept.published == 1
    assert key in set(store.placed()) and not list(store.staged()) and store.get(key) == data


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_statement_refused_before_the_commit_still_removes_its_file(register: Register) -> None:
    """The other side: a failure before COMMIT is sent is a certain rollback, and the file goes."""
    store = LocalFileStore(register.files)
    data = samples.pdf("Never committed")
    with pytest.raises(Conflict), register.database(write=True) as uow:
        key = store_bytes(uow, store, data)
        uow.add(StoredFile(key, "ownership", "t.pdf", "application/pdf", len(data), "0" * 64, register.clock()))
        uow.add(StoredFile(key, "ownership", "t.pdf", "application/pdf", len(data), "0" * 64, register.clock()))
        uow.commit()  # the second row's key clashes with the first's at the flush
    assert not list(store.staged()) and key not in set(store.placed())
