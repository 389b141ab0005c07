"""Wayback Machine look-ups and Save Page Now 2, replayed from hand-written cassettes (never the internet)."""

from __future__ import annotations

from datetime import date

import pytest

from provenance.archive import Archiver, RateGate, Target, Wayback, date_in_text, target_date
from provenance.models import Resolution, Status
from provenance.settings import Settings
from provenance.store import queries, writes
from provenance.store import schema as database

from .wayback_replay import replay, replay_fetcher

F24 = "https://www.france24.com/en/europe/20250701-macron-putin-call"
JULY_1 = Target(date(2025, 7, 1), "published")
KEYS = {"PROVENANCE_SPN_ACCESS_KEY": "access", "PROVENANCE_SPN_SECRET_KEY": "secret"}


class FakeClock:
    """A clock that only moves when something sleeps: rate limits are checked without waiting."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def wayback(clock):
    fetcher = replay_fetcher()
    gate = RateGate(1.0, clock=clock, sleep=clock.sleep)
    yield Wayback(fetcher, gate, sleep=clock.sleep, environ=dict(KEYS))
    fetcher.close()


def test_nearest_snapshot_to_the_publication_date(wayback):
    with replay.use_cassette("cdx_hit.yaml") as cassette:
        snap = wayback.nearest(F24, JULY_1)
    assert cassette.all_played
    assert snap.status == "found"
    assert snap.timestamp == "20250701193044"  # 7.5 hours from noon beats the next morning
    assert snap.snapshot_url == f"https://web.archive.org/web/20250701193044/{F24}"
    assert snap.distance_days == 0.31
    assert snap.target_date == "2025-07-01 (published)"


def test_an_empty_answer_is_never_proof(wayback):
    with replay.use_cassette("cdx_empty.yaml"):
        listed_nothing = wayback.nearest("https://yournews.com/never-archived", JULY_1)
        empty_body = wayback.nearest("https://yournews.com/busy", JULY_1)
    assert (listed_nothing.status, listed_nothing.snapshot_url) == ("none", None)
    assert (empty_body.status, empty_body.reason) == ("unknown", "empty_answer")


def test_a_429_pauses_wayback_lookups_for_the_whole_run(wayback, clock):
    with replay.use_cassette("cdx_429.yaml") as cassette:
        first = wayback.nearest("https://yournews.com/a", JULY_1)
        # Any request now would find no recorded answer and fail the test: none is sent.
        later = wayback.nearest("https://yournews.com/b", JULY_1)
    assert cassette.play_count == 1
    assert (first.status, first.reason, first.http_status) == ("unknown", "rate_limited", None)
    assert (later.status, later.reason) == ("unknown", "rate_limited")
    assert wayback.gate.interval == 2.0  # the run slows down for good


def test_a_short_retry_after_is_waited_and_retried(wayback, clock):
    with replay.use_cassette("cdx_429_then_hit.yaml") as cassette:
        snap = wayback.nearest("https://yournews.com/a", JULY_1)
    assert cassette.all_played
    assert snap.status == "found" and snap.timestamp == "20250630101010"
    assert clock.slept == [2.0]  # the Retry-After, through the run's gate


def test_requests_are_spaced_by_the_gate(clock):
    gate = RateGate(1.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        gate.wait()
    assert clock.slept == [1.0, 1.0]
    clock.now += 5
    gate.wait()
    assert clock.slept == [1.0, 1.0]  # a slot long past is not waited for


def spy(wayback) -> list[dict]:
    """What the Wayback client asked the Fetcher for (method, URL, headers, form data)."""
    sent, real = [], wayback.fetcher.fetch

    def fetch(url, **kw):
        sent.append({"url": url, **kw})
        return real(url, **kw)

    wayback.fetcher.fetch = fetch
    return sent


def test_save_page_now_submits_polls_and_reports_the_snapshot(wayback, clock):
    sent = spy(wayback)
    with replay.use_cassette("spn2_success.yaml") as cassette:
        snap = wayback.save("https://yournews.com/a")
    assert cassette.all_played
    assert [s["headers"]["Authorization"] for s in sent] == ["LOW access:secret"] * 4
    assert all(s["headers"]["Accept"] == "application/json" for s in sent)
    form = {"url": "https://yournews.com/a", "skip_first_archive": "1"}
    assert (sent[1]["method"], sent[1]["data"]) == ("POST", form)
    assert clock.slept.count(5.0) == 2  # polled twice, five seconds apart
    assert snap.status == "saved" and snap.timestamp == "20251130020304"
    assert snap.snapshot_url == "https://web.archive.org/web/20251130020304/https://yournews.com/a"


def test_save_page_now_errors_arrive_with_http_200(wayback):
    with replay.use_cassette("spn2_error.yaml") as cassette:
        refused = wayback.save("https://yournews.com/a")
        failed_job = wayback.save("https://yournews.com/missing")
        busy = wayback.save("https://yournews.com/b")
    assert cassette.all_played  # and the busy account was not sent a submission
    assert (refused.status, refused.http_status) == ("error", 200)
    assert refused.reason == "error:too-many-daily-captures"
    assert (failed_job.status, failed_job.reason) == ("error", "error:not-found")
    assert (busy.status, busy.reason) == ("unknown", "spn_user_limit")


def test_save_page_now_without_keys_sends_nothing(clock):
    wb = Wayback(replay_fetcher(), RateGate(1.0, clock=clock, sleep=clock.sleep), environ={})
    with replay.use_cassette("spn2_success.yaml") as cassette:
        snap = wb.save("https://yournews.com/a")
    assert cassette.play_count == 0 and (snap.status, snap.reason) == ("error", "no_spn_keys")


def test_publication_date_falls_back_to_the_text_then_the_audit_date():
    text = "Putin and Macron spoke.\n— UNITED24 Media (@United24media) July 1, 2025\nThen on 3 August 2025 …"
    assert date_in_text(text) == date(2025, 7, 1)
    assert date_in_text("Posted 2024-02-29 by the desk") == date(2024, 2, 29)
    assert date_in_text("No date, only 2025 and Sept. 31, 2025 which is not a day") is None
    assert target_date("2025-06-30", text).label() == "2025-06-30 (published)"
    assert target_date(None, text).label() == "2025-07-01 (text)"
    assert target_date(None, "no date here", today=date(2026, 1, 2)).label() == "2026-01-02 (audit date)"


def test_archiver_records_snapshots_and_reuses_fresh_ones(tmp_path, wayback):
    settings = Settings(db=tmp_path / "p.db", archive_dir=tmp_path / "archive")
    db = database.connect(settings.db)
    run_id = writes.start_run(db, "audit", {})
    archiver = Archiver(settings, db, run_id, wayback.fetcher, wayback=wayback)
    with replay.use_cassette("cdx_hit.yaml") as cassette:
        first = archiver.snapshot(F24, JULY_1)
        again = archiver.snapshot(F24, JULY_1)  # fresh and conclusive: no second request
    assert cassette.play_count == 1 and again.timestamp == first.timestamp
    row = db.execute("SELECT status, timestamp, snapshot_url, target_date, distance_days, run_id "
                     "FROM snapshots").fetchall()
    assert row == [("found", "20250701193044", first.snapshot_url, "2025-07-01 (published)", 0.31, run_id)]
    assert queries.url_states(db, [F24]) == {}  # no resolution yet: grading has nothing to go on
    dead = Resolution(url=F24, final_url=F24, status=Status.DEAD, reason="http_404")
    writes.record_resolution(db, run_id, dead)
    assert queries.url_states(db, [F24]) == {F24: (Status.DEAD, True)}  # dead, but a copy is kept


def test_no_wayback_and_offline_make_no_lookup(tmp_path, wayback):
    db = database.connect(tmp_path / "p.db")
    for settings in (Settings(db=tmp_path / "p.db", wayback=False),
                     Settings(db=tmp_path / "p.db", offline=True)):
        archiver = Archiver(settings, db, None, wayback.fetcher, wayback=wayback)
        with replay.use_cassette("cdx_hit.yaml") as cassette:
            assert archiver.snapshot(F24, JULY_1) is None
        assert cassette.play_count == 0


def test_save_many_submits_within_the_accounts_limit_and_polls_together(wayback):
    with replay.use_cassette("spn2_batch.yaml") as cassette:
        saved = wayback.save_many(["https://yournews.com/a", "https://yournews.com/b"])
    assert cassette.all_played
    assert (saved["https://yournews.com/a"].status, saved["https://yournews.com/a"].timestamp) == \
        ("saved", "20251130021500")
    assert (saved["https://yournews.com/b"].status, saved["https://yournews.com/b"].reason) == \
        ("unknown", "spn_user_limit")


def test_archiver_saves_live_pages_only_with_save(tmp_path, wayback):
    settings = Settings(db=tmp_path / "p.db", archive_dir=tmp_path / "archive", wayback=False, save=True)
    db = database.connect(settings.db)
    archiver = Archiver(settings, db, None, wayback.fetcher, wayback=wayback)
    live = Resolution(url="https://yournews.com/a", final_url="https://yournews.com/a", status=Status.ALIVE)
    gone = Resolution(url="https://yournews.com/gone", final_url=None, status=Status.DEAD)
    with replay.use_cassette("spn2_batch.yaml") as cassette:
        _, snapshots = archiver.archive({live.url: live, gone.url: gone}, JULY_1)
    assert cassette.play_count == 3  # the dead page was never submitted
    assert snapshots == {live.url: snapshots[live.url]} and snapshots[live.url].status == "saved"
    assert db.execute("SELECT status, timestamp FROM snapshots").fetchall() == [("saved", "20251130021500")]


def test_an_unreachable_wayback_machine_is_asked_three_times_then_left_alone(clock):
    from provenance.errors import FetchError

    class Down:
        calls = 0

        def fetch(self, url, **kw):
            Down.calls += 1
            raise FetchError(url, Status.ERROR, "nxdomain")

    wb = Wayback(Down(), RateGate(1.0, clock=clock, sleep=clock.sleep))
    snaps = [wb.nearest(f"https://yournews.com/{i}", JULY_1) for i in range(6)]
    assert Down.calls == 3
    assert [s.reason for s in snaps] == ["nxdomain"] * 3 + ["wayback_unreachable (nxdomain)"] * 3
    assert {s.status for s in snaps[3:]} == {"unknown"}
