"""onewindow.privacy: masking text and log records, the CLI's log filter, and the run's scan."""

from __future__ import annotations

import logging

import pii_scan
import pytest

from onewindow import cli, privacy

RAW = "11010519491231002X"
MASKED = "1101**********002X"
OLD = "110105491231002"  # 15 digits, before 1999


@pytest.mark.parametrize(("typed", "logged"), [
    (RAW, MASKED),
    (RAW.lower(), "1101**********002x"),
    (f"user{RAW}", f"user{MASKED}"),  # glued to letters
    (f"{RAW}7", "1101**********002X7"),  # a digit after the check character
    (f"a {OLD} b", "a 1101*******1002 b"),
    ("1" * 40, "1111" + "*" * 32 + "1111"),  # a long run hides no number whole
    ("91110000600037341L", "91110000600037341L"),  # a credit code is not personal data
    ("case 202612050001 seq 12", "case 202612050001 seq 12"),
    # typed in groups, as read off a card: still one number
    ("110105 19491231 002X", "1101************002X"),
    ("110105-19491231-002x", "1101************002x"),
    ("１１０１０５　１９４９１２３１　００２Ｘ", "１１０１************００２Ｘ"),
    ("110105 491231 002", "1101********* 002"),
    # ... but two case numbers side by side, a grouped credit code or a timestamp are not
    ("202612050001 202612050002", "202612050001 202612050002"),
    ("9111 0000 6000 3734 1L", "9111 0000 6000 3734 1L"),
    ("2026-12-04 18:07:50,563", "2026-12-04 18:07:50,563"),
    ("", ""),
])
def test_mask_text(typed, logged):
    assert privacy.mask_text(typed) == logged


def _record(msg, args=(), exc_info=None):
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def test_the_filter_masks_message_arguments_and_traceback():
    record = _record(f"typed {RAW} and %r / %s / %d", (RAW, {"id": OLD}, 7))
    privacy.IdNumberFilter().filter(record)
    message = record.getMessage()
    assert message == f"typed {MASKED} and '{MASKED}' / {{'id': '1101*******1002'}} / 7"
    named = _record("%(who)s", ({"who": RAW},))
    privacy.IdNumberFilter().filter(named)
    assert named.getMessage() == MASKED
    try:
        raise ValueError(f"bad number {RAW}")
    except ValueError as exc:
        failed = _record("failed: %s", (exc,), (type(exc), exc, exc.__traceback__))
    privacy.IdNumberFilter().filter(failed)
    line = logging.Formatter().format(failed)
    assert RAW not in line and f"ValueError: bad number {MASKED}" in line
    assert line.startswith(f"failed: bad number {MASKED}")


def test_the_cli_installs_the_log_filter(monkeypatch, capsys):
    monkeypatch.setattr(logging, "_logRecordFactory", logging.LogRecord)
    cli.main(["plugins"])
    record = logging.getLogRecordFactory()("t", logging.INFO, __file__, 1, "%s", (RAW,), None)
    assert record.getMessage() == MASKED
    installed = logging.getLogRecordFactory()
    privacy.install_log_filter()  # idempotent: one wrapper, not two
    assert logging.getLogRecordFactory() is installed


def test_the_scan_finds_whole_numbers_and_spares_the_input_being_filled():
    known = pii_scan.known_numbers()
    assert RAW in known and len(known) >= 2
    assert pii_scan.whole_numbers(f"<td>{RAW}</td>", known) == {RAW}
    assert pii_scan.whole_numbers(f"x{RAW.lower()}y", known) == {RAW}  # known: anywhere
    grouped = f"{RAW[:6]} {RAW[6:14]}-{RAW[14:]}"
    assert pii_scan.whole_numbers(f"<td>{grouped}</td>", known) == {RAW}  # typed in groups
    assert pii_scan.whole_numbers(f"<td>{MASKED}</td> 91110000600037341L", known) == set()
    unknown = "130503670401001"  # not checksum-valid as 18; any valid 18 standing alone is
    assert pii_scan.whole_numbers("id 220102199003077354 ok", frozenset()) == {
        "220102199003077354"}
    assert pii_scan.whole_numbers(unknown, frozenset()) == set()
    page = f'<input id="applicant-id_number" name="id_number" value="{RAW}"><p>{RAW}</p>'
    assert pii_scan._ID_INPUT.sub("<input>", page) == f"<input><p>{RAW}</p>"


def test_the_scan_counts_pages_and_log_lines():
    scanner = pii_scan.Scanner(frozenset({RAW}))
    scanner._exempt[id(None)] = []
    scanner.response(None, "GET", "/x", f"<b>{RAW}</b>".encode())
    scanner.record(_record("typed %s", (RAW,)), f"typed {RAW}")
    scanner.record(_record("typed %s", (MASKED,)), f"typed {MASKED}")
    assert scanner.responses == 1 and scanner.records == 2
    assert scanner.findings == [f"page GET /x: {MASKED}",
                                f"log t INFO: {MASKED} in 'typed %s'"]


def test_an_argument_whose_str_fails_is_left_to_logging():
    class Broken:
        def __str__(self):
            raise RuntimeError("no text")

    broken = Broken()
    record = _record("value %s", (broken,))
    assert privacy.IdNumberFilter().filter(record) and record.args == (broken,)
