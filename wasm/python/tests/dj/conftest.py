"""Django for the filter and integration tests: settings made here, SQLite and a
throw-away PostgreSQL (pgserver.py) as two databases, the test spec's module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the filterapp models

import pgserver  # noqa: E402
from support import DATABASES  # noqa: E402


@pytest.fixture(scope="session")
def filters_module(tmp_path_factory: pytest.TempPathFactory, permc_bin: Path) -> Path:
    out = tmp_path_factory.mktemp("wasm") / "docauthz.wasm"
    subprocess.run([str(permc_bin), "build-wasm", "--spec", str(HERE.parent / "data/filters.yaml"), "--out", str(out)],
                   check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def django_setup(tmp_path_factory: pytest.TempPathFactory, filters_module: Path) -> Iterator[None]:
    server = pgserver.start()
    try:
        pgserver.create_database(server, "permc_test")
        from django.conf import settings

        settings.configure(
            SECRET_KEY="test",
            USE_TZ=True,
            INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "permc.django", "filterapp"],
            DATABASES={
                "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path_factory.mktemp("db") / "test.sqlite3")},
                "pg": {"ENGINE": "django.db.backends.postgresql", "NAME": "permc_test", "HOST": server.host,
                       "PORT": "5432", "USER": "postgres"},
            },
            PERMC={"MODULE": str(filters_module), "ROLES_MAX_AGE": 3600},
        )
        import django
        from django.core.management import call_command

        django.setup()
        for db in DATABASES:
            call_command("migrate", database=db, run_syncdb=True, verbosity=0)
        yield
    finally:
        from django.db import connections

        connections.close_all()
        server.stop()
