"""The whole test run, scanned for whole resident ID numbers in pages and log lines.

A pytest plugin (``-p pii_scan`` in the workspace's pytest ``addopts``). While the tests run it keeps
every response any Litestar ``TestClient`` receives, every log record of level INFO or above
that reaches the root logger and the log output of the browser tests' server processes; at the end of the session it fails the run if any of them carries
a whole ID number: one of the numbers the tests use (every checksum-valid 18-character number
written in a test file) or any checksum-valid 18-character number at all.

Exempt, exactly as :data:`onewindow.privacy.DOCUMENT_RULES` allows:

* the pages of documents whose rule is ``full`` (their routes come from
  :data:`onewindow_web.documents.DOCUMENT_ROUTES`);
* the value of an ID-number input on a form being filled (``entry_form``: the applicant forms'
  ``id_number``, the consultation's ``identifier``): the clerk's own typing, kept so it can be
  corrected and sent.

Only what was found is kept (URL, the masked number, where), never the bodies, so the scan
costs a regex per response.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

import pytest
from stdnum.cn import ric

from onewindow import privacy

ROOT = Path(__file__).resolve().parent.parent
TEST_DIRS = ("tests", "core/tests", "web/tests", "plugins")
# An 18-character number standing alone (not inside a hash or a longer code).
_LOOSE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ANY = re.compile(r"\d{17}[\dXx]")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[ \t\-\u2010-\u2015](?=\d)")
# The one place a page may carry a whole number it did not print: the input being filled.
_ID_INPUT = re.compile(r"<input\b[^>]*\bname=\"(?:id_number|identifier)\"[^>]*>", re.S)
LEAK_LIMIT = 20  # findings reported in full; the rest are counted


def known_numbers(root: Path = ROOT) -> frozenset[str]:
    """Every checksum-valid 18-character ID number written in the repository's test files."""
    found: set[str] = set()
    for folder in TEST_DIRS:
        for path in (root / folder).rglob("*.py"):
            if ".venv" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(n.upper() for n in _ANY.findall(text) if ric.is_valid(n))
    return frozenset(found)


def whole_numbers(text: str, known: frozenset[str]) -> set[str]:
    """The whole ID numbers in ``text``: known ones anywhere, others standing alone."""
    upper = text.upper()
    # a known number typed in groups or full-width ("110105 19491231 002X") is still whole
    joined = _BETWEEN_DIGITS.sub("", unicodedata.normalize("NFKC", upper))
    hits = {n for n in known if n in upper or n in joined}
    hits.update(n.upper() for n in _LOOSE.findall(text) if ric.is_valid(n))
    return hits


def _mask(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


class Scanner:
    """Collects findings from responses and log records; reports them at the end."""

    def __init__(self, known: frozenset[str]):
        self.known = known
        self.findings: list[str] = []
        self.responses = 0
        self.records = 0
        self._exempt: dict[int, list[re.Pattern[str]]] = {}

    # -------------------------------------------------------------- pages
    def exempt_paths(self, app) -> list[re.Pattern[str]]:
        """URL patterns of ``app``'s routes that print a whole number by the core's rule."""
        cached = self._exempt.get(id(app))
        if cached is None:
            from onewindow_web.documents import full_id_route_paths

            cached = [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
                      for path in full_id_route_paths(app)]
            self._exempt[id(app)] = cached
        return cached

    def response(self, app, method: str, path: str, body: bytes) -> None:
        self.responses += 1
        if not body:
            return
        if any(p.match(path) for p in self.exempt_paths(app)):
            return
        text = body.decode("utf-8", "replace")
        if privacy.shows_full_id("entry_form"):
            text = _ID_INPUT.sub("<input>", text)
        for number in whole_numbers(text, self.known):
            self.findings.append(f"page {method} {path}: {_mask(number)}")

    # -------------------------------------------------------------- logs
    def record(self, record: logging.LogRecord, line: str) -> None:
        self.records += 1
        for number in whole_numbers(line, self.known):
            self.findings.append(f"log {record.name} {record.levelname}: {_mask(number)} "
                                 f"in {record.msg!r:.120}")


def scan_output(config: pytest.Config, name: str, output: bytes) -> None:
    """Scan a server subprocess's log output (the browser tests' ``onewindow serve``)."""
    scanner: Scanner | None = config.stash.get(_KEY, None)
    if scanner is None:
        return
    for line in output.decode("utf-8", "replace").splitlines():
        scanner.records += 1
        for number in whole_numbers(line, scanner.known):
            scanner.findings.append(f"log of {name}: {_mask(number)} in {line[:120]!r}")


class _Collect(logging.Handler):
    def __init__(self, scanner: Scanner):
        super().__init__(logging.INFO)
        self.scanner = scanner
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - a broken record is scanned by its raw parts
            line = f"{record.msg} {record.args}"
        self.scanner.record(record, line)


def pytest_configure(config: pytest.Config) -> None:
    from litestar.testing.transport import TestClientTransport

    scanner = Scanner(known_numbers())
    config.stash[_KEY] = scanner
    original = TestClientTransport.handle_request

    def handle_request(self, request):
        response = original(self, request)
        if request.headers.get("upgrade", "").lower() != "websocket":
            scanner.response(self.client.app, request.method, request.url.path,
                             response.read())
        return response

    TestClientTransport.handle_request = handle_request
    config.stash[_RESTORE] = (TestClientTransport, original)
    handler = _Collect(scanner)
    root = logging.getLogger()
    root.addHandler(handler)
    config.stash[_HANDLER] = (handler, root.level)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)  # so INFO lines (a failed login) are made and scanned


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    scanner: Scanner | None = session.config.stash.get(_KEY, None)
    if scanner is None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    summary = (f"ID-number scan: {scanner.responses} responses and {scanner.records} log lines "
               f"of this run, {len(scanner.known)} known test ID numbers, "
               f"{len(scanner.findings)} whole numbers found")
    if reporter is not None:
        reporter.write_line(summary)
    if scanner.findings:
        lines = scanner.findings[:LEAK_LIMIT]
        more = len(scanner.findings) - len(lines)
        text = "\n".join(["whole resident ID numbers outside the documents allowed to show "
                          "them:", *lines] + ([f"... and {more} more"] if more else []))
        if reporter is not None:
            reporter.write_line(text, red=True)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    restore = config.stash.get(_RESTORE, None)
    if restore is not None:
        cls, original = restore
        cls.handle_request = original
    handler = config.stash.get(_HANDLER, None)
    if handler is not None:
        logging.getLogger().removeHandler(handler[0])
        logging.getLogger().setLevel(handler[1])


_KEY = pytest.StashKey[Scanner]()
_RESTORE = pytest.StashKey[tuple]()
_HANDLER = pytest.StashKey[tuple]()
