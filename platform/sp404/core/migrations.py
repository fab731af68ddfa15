"""Forward-only migration runner for `sql/`, run as the owner role.

The owner cannot log in: the runner connects as the migrator (`SP404_DATABASE_OWNER_URL`, a
login role that is a member of the owner) and does `SET ROLE sp404_owner`, so every object it
creates belongs to the owner and the owner's password exists nowhere.

Each numbered file applies once, in order, in its own transaction, and its sha256 is recorded; a
later edit of an applied file is refused rather than silently diverging from production. A
session-level advisory lock makes concurrent runners safe: one applies, the others wait and then
find nothing to do. After the migrations, `sql/functions/` and `sql/policies/` are re-applied
(they are written to be idempotent), so a policy fix ships without a new migration.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from sp404.core.settings import REPO_ROOT

SQL_DIR = REPO_ROOT / "sql"
_MIGRATION_NAME = re.compile(r"^(?P<version>\d{4})_[a-z0-9_]+\.sql$")
# Any constant works; it only has to be the same for every runner of this project.
_LOCK_KEY = 0x5_404_C10D
# A database the migrator just created (tests, benchmarks, drills) is its own; hand it to the
# owner first, or the owner could not create schemas in it. Ownership decides DROP DATABASE too.
_HAND_OVER_DATABASE = """
do $$
begin
    if (select d.datdba = r.oid from pg_database d, pg_roles r
         where d.datname = current_database() and r.rolname = session_user) then
        execute format('alter database %I owner to sp404_owner', current_database());
    end if;
end
$$;
"""
# The schema owner: NOLOGIN, reached only through this by the migrator.
_SET_OWNER_ROLE = "set role sp404_owner"

_BOOKKEEPING = """
create schema if not exists app_meta;
create table if not exists app_meta.schema_migrations (
    version     text        not null,
    name        text        not null,
    checksum    text        not null,
    applied_at  timestamptz not null default now(),
    constraint schema_migrations_pkey primary key (version)
);
revoke all on schema app_meta from public;
"""


class MigrationError(Exception):
    """The database and the migration files disagree."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True)
class MigrationReport:
    applied: list[str]
    already_applied: int


def discover(sql_dir: Path = SQL_DIR) -> list[Migration]:
    """The numbered migrations in order; gaps and duplicate numbers are errors."""
    migrations: list[Migration] = []
    for path in sorted(sql_dir.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_verb_object.sql")
        migrations.append(Migration(match["version"], path.name, path.read_text("utf-8")))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a number")
    return migrations


def _reapplied_files(sql_dir: Path) -> list[Path]:
    # Schema-wide grants (policies/0000_*) first: handing functions to sp404_definer needs them.
    policies = sorted((sql_dir / "policies").glob("*.sql"))
    schema_wide = [p for p in policies if p.name.startswith("0000_")]
    tables = [p for p in policies if not p.name.startswith("0000_")]
    return schema_wide + sorted((sql_dir / "functions").glob("*.sql")) + tables


async def migrate(owner_dsn: str, *, sql_dir: Path = SQL_DIR) -> MigrationReport:
    """Apply pending migrations, then re-apply functions and policies, as the owner role."""
    migrations = discover(sql_dir)
    conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute("select pg_advisory_lock($1)", _LOCK_KEY)
        try:
            # Under the lock: two runners handing over the same database would collide.
            await conn.execute(_HAND_OVER_DATABASE)
            await conn.execute(_SET_OWNER_ROLE)
            await conn.execute(_BOOKKEEPING)
            done = {
                row["version"]: row
                for row in await conn.fetch(
                    "select version, name, checksum from app_meta.schema_migrations"
                )
            }
            applied: list[str] = []
            for migration in migrations:
                recorded = done.get(migration.version)
                if recorded is not None:
                    if recorded["checksum"] != migration.checksum:
                        raise MigrationError(
                            f"{migration.name} was edited after it was applied; "
                            "add a new migration instead"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "insert into app_meta.schema_migrations (version, name, checksum)"
                        " values ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                applied.append(migration.name)
            unknown = set(done) - {m.version for m in migrations}
            if unknown:
                raise MigrationError(f"database has migrations this code lacks: {sorted(unknown)}")
            async with conn.transaction():
                for path in _reapplied_files(sql_dir):
                    await conn.execute(path.read_text("utf-8"))
            return MigrationReport(applied=applied, already_applied=len(done))
        finally:
            await conn.execute("select pg_advisory_unlock($1)", _LOCK_KEY)
    finally:
        await conn.close()
