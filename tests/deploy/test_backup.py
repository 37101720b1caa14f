"""
Backups (issue 17): deploy/backup.sh dumps PostgreSQL and archives the media folder; the dump restores
into an empty database where the data is found, and the archive gives the files back. On SQLite (the
embedded development default) the script refuses instead of writing a useless backup.
"""

import subprocess
import tarfile
import uuid

import psycopg
import pytest
from django.db import connection

from sites.models import Site
from tests.deploy.production import ROOT, database_url
from tests.factories.sites import SiteFactory, UnitFactory

BACKUP = ROOT / "deploy" / "backup.sh"


def run_backup(tmp_path, media):
    return subprocess.run(
        ["bash", str(BACKUP)],
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media),
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database(tmp_path):
    media = tmp_path / "media"
    (media / "briefings").mkdir(parents=True)
    (media / "briefings" / "bao-cao.pdf").write_bytes(b"%PDF-1.4 bao cao")
    site = SiteFactory(unit=UnitFactory(name="Xã Tam Hải"), name="Nhà văn hoá thôn 3 (sao lưu)")

    result = run_backup(tmp_path, media)
    if connection.vendor == "sqlite":
        assert result.returncode == 2 and "PostgreSQL only" in result.stderr
        assert not (tmp_path / "backups").exists()
        return
    assert result.returncode == 0, result.stderr
    dump, archive = (tmp_path / "backups" / name.rsplit("/", 1)[1] for name in result.stdout.split())
    assert dump.name.startswith("portal-") and archive.name.startswith("media-")

    params = connection.get_connection_params()
    admin = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    restored = f"portal_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'CREATE DATABASE "{restored}"')
    try:
        target = database_url().rsplit("/", 1)[0] + f"/{restored}"
        restore = subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert restore.returncode == 0, restore.stderr
        with psycopg.connect(dbname=restored, **admin) as copy:
            names = [row[0] for row in copy.execute("SELECT name FROM sites_site WHERE id = %s", [site.pk])]
            applied = copy.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        assert names == ["Nhà văn hoá thôn 3 (sao lưu)"]
        assert applied > 10
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')

    out = tmp_path / "restored-media"
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    assert (out / "briefings" / "bao-cao.pdf").read_bytes() == b"%PDF-1.4 bao cao"
    assert Site.objects.filter(pk=site.pk).exists()
