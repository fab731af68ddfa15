"""How drills decide and print PASS, FAIL and SKIP."""

from __future__ import annotations

from drills.common import Answer, Verdict, histogram, p95
from drills.run_all import table


def test_a_drill_passes_only_when_every_check_holds() -> None:
    verdict = Verdict("demo")
    verdict.check("first", True)
    assert verdict.status == "PASS"
    verdict.check("second", False)
    assert verdict.status == "FAIL"


def test_a_drill_without_checks_does_not_pass() -> None:
    assert Verdict("nothing ran").status == "FAIL"


def test_a_skipped_drill_says_why() -> None:
    verdict = Verdict("restart", skipped="shared server")
    assert verdict.report().splitlines()[0] == "SKIP  restart (shared server)"


def test_the_report_lists_checks_then_figures() -> None:
    verdict = Verdict("demo")
    verdict.check("engine routes answer 503", False)
    verdict.figure("503 p95 ms", "12.0")
    assert verdict.report().splitlines() == [
        "FAIL  demo",
        "  [XX] engine routes answer 503",
        "  503 p95 ms: 12.0",
    ]


def test_the_table_names_the_failed_checks() -> None:
    failed = Verdict("worker killed")
    failed.check("every job is done", False)
    passed = Verdict("engine killed")
    passed.check("503s are fast", True)
    rows = table([(passed, 30.0), (failed, 45.5)]).splitlines()
    assert rows[2].startswith("PASS    engine killed")
    assert rows[3].startswith("FAIL    worker killed")
    assert rows[3].endswith("every job is done")


def test_answers_are_counted_by_status() -> None:
    answers = [Answer("/a", 0.0, 0.01, 200), Answer("/a", 0.0, 0.02, 503), Answer("/b", 0, 1, 200)]
    assert histogram(answers) == "200x2, 503x1"
    assert histogram([]) == "none"
    assert p95([a.elapsed for a in answers]) == 1
