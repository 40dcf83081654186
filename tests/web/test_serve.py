"""The commands the README runs: bng db upgrade, bng db demo, bng serve, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bng.cli import app
from bng.db import migrate
from tests.db.postgres import free_port


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migrate_load_demo_data_and_serve(database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    env = {"BNG_VAR": str(tmp_path / "var"), "DATABASE_URL": ""}
    if database == "postgresql":
        server = request.getfixturevalue("postgres_server")
        name = f"serve_{uuid.uuid4().hex[:8]}"
        server.psql(f"CREATE DATABASE {name}")
        server.psql("CREATE EXTENSION postgis", name)
        env["DATABASE_URL"] = server.url(name).replace("postgresql+psycopg://", "postgresql://")
    runner = CliRunner(env=env)

    def bng(*args: str, stdin: str = "") -> tuple[int, str]:
        result = runner.invoke(app, list(args), input=stdin)
        return result.exit_code, result.output

    assert bng("db", "current") == (1, "empty (run bng db upgrade)\n")
    code, out = bng("db", "upgrade")
    assert code == 0 and f"database {database} is at revision {migrate.head()}" in out
    code, out = bng("db", "demo")
    assert code == 0 and "case.worker@example.gov.uk" in out and "demo-password-2026" in out
    assert bng("db", "demo") == (0, "demo data is already loaded\n")
    code, out = bng(
        "db",
        "add-user",
        "second.worker@example.gov.uk",
        "--name",
        "Second Worker",
        stdin="a long enough password\na long enough password\n",
    )
    assert code == 0 and "second.worker@example.gov.uk (case_worker) created" in out
    code, out = bng(
        "db",
        "add-user",
        "officer@example.gov.uk",
        "--name",
        "O",
        "--role",
        "lpa_officer",
        "--lpa",
        "Nowhere",
        stdin="a long enough password\na long enough password\n",
    )
    assert code == 2 and "no LPA called 'Nowhere'" in out

    port = free_port()
    serving = subprocess.Popen(
        [sys.executable, "-m", "bng.cli", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/register", timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "3 gain sites found" in body, body[-2000:]  # the demo data
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/assets/govuk-frontend.min.css", timeout=5) as css:
            assert css.status == 200 and b"govuk" in css.read(200_000)
    finally:
        serving.terminate()
        output = serving.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in output
