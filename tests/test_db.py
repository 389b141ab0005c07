"""The schema contract: tables, foreign keys, indexes, full-text search, WAL, migrations."""

from __future__ import annotations

import os

from provenance.store import schema as database

SNAPSHOT = os.path.join(os.path.dirname(__file__), "snapshots", "schema.sql")
TABLES = ["runs", "articles", "urls", "claims", "citations", "claim_citations", "claim_supports",
          "resolutions", "hops", "captures", "snapshots"]


def test_schema_matches_snapshot(db_path):
    """Every schema change shows up as a diff of tests/snapshots/schema.sql (regenerate it on purpose)."""
    db = database.connect(db_path)
    with open(SNAPSHOT, encoding="utf-8") as f:
        expected = f.read().strip()
    assert db.schema.strip() == expected


def test_all_contract_tables_and_chains_view_exist(db_path):
    db = database.connect(db_path)
    for table in TABLES:
        assert db[table].exists(), table
    assert "chains" in db.view_names()
    assert database.schema_version(db) == database.migrations._migrations[-1].name


def test_every_foreign_key_is_declared_and_indexed(db_path):
    db = database.connect(db_path)
    fk_count = 0
    for table in TABLES:
        indexed_first_columns = {i.columns[0] for i in db[table].indexes} | set(db[table].pks[:1])
        for fk in db[table].foreign_keys:
            fk_count += 1
            assert fk.column in indexed_first_columns, f"{table}.{fk.column} is a join column without an index"
    assert fk_count >= 15


def test_wal_foreign_keys_and_busy_timeout(db_path):
    db = database.connect(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_full_text_search_on_claims_and_articles(db_path):
    db = database.connect(db_path)
    aid = db["articles"].insert({"source": "a.txt", "title": "Macron calls Putin", "text": "body"}).last_pk
    db["claims"].insert({"article_id": aid, "seq": 1, "kind": "sentence", "text": "Putin blames the West",
                         "status": "unsourced"})
    assert [r["text"] for r in db["claims"].search("West")] == ["Putin blames the West"]
    assert [r["title"] for r in db["articles"].search("Macron")] == ["Macron calls Putin"]


def test_migrations_are_applied_once(db_path):
    database.connect(db_path)
    db = database.connect(db_path)
    applied = database.migrations.applied(db)
    assert len(applied) == len({m.name for m in applied}) == len(database.migrations._migrations)
