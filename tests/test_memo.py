"""The run's memos on disk (store/memo.py): what each request target gave, and the writer's URL sets.

A batch keeps the resolver's fetch-once memo on disk so that memory does not grow with the archive;
these tests hold it to the same promise as the memo in memory: each request target fetched once per
run (counted by the loopback fault server, 127.0.0.1, allow_private), and a chain that reaches a
target through the disk gets the same answer as one that reached it in memory.
"""

from __future__ import annotations

import pytest

from provenance import batch as batch_mod
from provenance import fetch_once
from provenance.fetch_once import ROW_COLUMNS
from provenance.models import Resolution
from provenance.resolve import Resolver
from provenance.settings import Settings
from provenance.store.memo import Settled, UrlSet
from tests.faultserver import FaultServer, guard_loopback
from tests.test_batch import Web, settings_for, write_articles
from tests.test_cluster import rows

FAST = dict(allow_private=True, retries=0, deadline=2, read_timeout=1.5, connect_timeout=1,
            per_host=8, min_interval=0, robots="ignore", max_retry_after=1)
PATHS = ("/chain/a", "/chain/b", "/chain/hub", "/final", "/hops/3", "/404", "/soft404", "/retry-after/long",
         "/ok", "/loop/a", "/503")


@pytest.fixture
def srv(monkeypatch):
    for _ in guard_loopback(monkeypatch):
        with FaultServer() as s:
            yield s


def seen(res: Resolution) -> tuple:
    """What a resolution says, without times and bodies."""
    return (res.url, res.status, res.reason, res.final_url, res.http_status, res.content_type,
            [(h.url, h.http_status, h.location, h.via) for h in res.hops])


def test_chains_that_reach_targets_through_the_disk_get_the_same_answers_and_fetch_nothing_again(srv, monkeypatch):
    monkeypatch.setattr(fetch_once, "MEMO_RECENT", 1)  # every outcome but the latest is read back from disk
    urls = [srv.url(p) for p in PATHS]
    in_memory = Resolver(Settings(**FAST))
    first = in_memory.resolve_many(urls)
    in_memory.close()
    hits = {p: srv.hits(p) for p in PATHS}
    assert all(n == 1 for p, n in hits.items() if p != "/loop/a"), hits

    r = Resolver(Settings(**FAST))
    memo = Settled(ROW_COLUMNS)
    r.remember_in(memo)
    again = r.resolve_many(urls)
    once_more = r.resolve_many(list(reversed(urls)))  # every target is settled: all from the memo
    r.close()
    assert [seen(x) for x in again] == [seen(x) for x in first]
    assert [seen(x) for x in reversed(once_more)] == [seen(x) for x in first]
    assert {p: srv.hits(p) - hits[p] for p in PATHS} == hits  # the second resolver: each once more, no more
    assert len(r.fetches._recent) == 1 and not r.fetches._waiting
    assert len(memo) == r.requests_made  # one row per target fetched (no retries here)


def test_shared_hops_through_the_disk_memo_are_fetched_once(srv, monkeypatch):
    monkeypatch.setattr(fetch_once, "MEMO_RECENT", 1)
    r = Resolver(Settings(**{**FAST, "per_host": 1}))  # one at a time: later chains find earlier hops settled
    r.remember_in(Settled(ROW_COLUMNS))
    results = r.resolve_many([srv.url(p) for p in ("/chain/a", "/chain/b", "/chain/hub", "/final")])
    r.close()
    assert {res.final_url for res in results} == {srv.url("/final")}
    for path in ("/chain/a", "/chain/b", "/chain/hub", "/final"):
        assert srv.hits(path) == 1, path
    assert r.requests_made == 4


def test_remember_in_carries_what_was_already_settled(srv):
    r = Resolver(Settings(**FAST))
    [before] = r.resolve_many([srv.url("/hops/2")])
    memo = Settled(ROW_COLUMNS)
    r.remember_in(memo)
    [after] = r.resolve_many([srv.url("/hops/1")])
    r.close()
    assert len(memo) == 3 and srv.hits("/hops/1") == 1 and srv.hits("/hops/0") == 1
    assert after.final_url == before.final_url


def test_a_url_set_on_disk():
    s = UrlSet()
    assert s.add("http://a.example/1") and not s.add("http://a.example/1") and s.add("http://a.example/2")
    assert "http://a.example/1" in s and "http://a.example/3" not in s and len(s) == 2
    s.close()


def test_a_batch_whose_memo_spills_to_disk_records_the_same_rows_and_fetches_each_target_once(tmp_path, monkeypatch):
    with Web() as web:
        write_articles(tmp_path / "in", web.base, n=12)
        batch_mod.run_batch(settings_for(tmp_path / "whole.db"), [str(tmp_path / "in")], extract_workers=0)
        whole = dict(web.hits)
        web.hits.clear()
        monkeypatch.setattr(fetch_once, "MEMO_RECENT", 1)
        batch_mod.run_batch(settings_for(tmp_path / "disk.db"), [str(tmp_path / "in")], extract_workers=0)
    assert web.hits == whole and max(whole.values()) == 1
    assert rows(tmp_path / "disk.db") == rows(tmp_path / "whole.db")
