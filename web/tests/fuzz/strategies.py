"""Hypothesis strategies for hostile and plausible input: form fields, path segments, bodies.

Every strategy mixes three kinds of value, so a generated request both attacks the parsers and
often gets past validation into the core and the database:

* plausible values a clerk types (names, credit codes, ID numbers, phones, dates, the
  catalogue's own codes), also in the shapes people really type them (full-width digits,
  groups with spaces, lower-case ``x``);
* hostile text: every Unicode category (surrogates and unassigned code points included),
  C0/C1 control characters and NUL, bidirectional controls, full-width forms, very long
  strings (past every column's length);
* hostile bytes: the same text encoded as invalid UTF-8 (lone surrogates via
  ``surrogatepass``, GBK, Latin-1, random bytes) and broken bodies (truncated multipart,
  missing boundary, JSON, unknown content types).

Used by ``test_routes.py`` (every route of the app) and ``test_core_inputs.py`` (core's
validation). Nothing here knows about a particular route: route-specific knowledge is the
form specification in ``test_routes.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

# Valid samples, as the fixtures use them (GB 32100 credit code, GB 11643 ID number).
CREDIT_CODES = ("91110000600037341L", "91310000775785552L", "911100001000000000")
ID_NUMBERS = ("11010519491231002X", "110101199003074477", "44030419900101001X")
PHONES = ("13904120000", "0412-5551234", "010-12345678", "+86 139 0412 0000")
NAMES = ("王芳", "鞍山市星河科技有限公司", "张伟", "刘洋", "Zhang Wei", "欧阳·娜娜")

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u2028\u2029"
CONTROL = "".join(map(chr, range(0x20))) + "\x7f" + "".join(map(chr, range(0x80, 0xa0)))
# Lengths just past the columns (64, 100, 200, 255), the web's cuts (2000) and far beyond.
HUGE_LENGTHS = (65, 101, 201, 256, 2001, 10_001, 100_001)

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7f)})


def full_width(value: str) -> str:
    """``9111…`` as a scanner or a Chinese IME types it: ``９１１１…``."""
    return value.translate(FULL_WIDTH)


def grouped(value: str, size: int = 4, sep: str = " ") -> str:
    return sep.join(value[i:i + size] for i in range(0, len(value), size))


any_char = st.characters(codec=None, exclude_categories=())  # every category, Cs and Cn too
special_char = st.sampled_from(CONTROL + BIDI + INVISIBLE + "\x00\ud800\udfff\ufffd")


@st.composite
def huge(draw) -> str:
    unit = draw(st.one_of(st.sampled_from("a王９\x00\u202e"), any_char))
    return unit * draw(st.sampled_from(HUGE_LENGTHS))


def hostile_text() -> st.SearchStrategy[str]:
    """Text no form should break on (may hold lone surrogates: encode with ``to_bytes``)."""
    return st.one_of(
        st.text(any_char, max_size=30),
        st.text(st.one_of(special_char, st.sampled_from("王a1 -/%&=;\"'<>")), max_size=20),
        st.text(st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), max_size=20),
        huge(),
        st.sampled_from(("", " ", "\x00", "a\x00b", "\u202eevil", "../../etc/passwd",
                         "<script>alert(1)</script>", "' OR 1=1 --", "%00", "null", "-1",
                         "0", "99999999999999999999", "1e309", "NaN", "\r\nSet-Cookie: x=1")),
    )


@st.composite
def spoiled(draw, valid: st.SearchStrategy[str]) -> str:
    """A plausible value with hostile characters put inside it, or repeated past its column."""
    value = draw(valid)
    how = draw(st.sampled_from(("insert", "repeat", "full_width", "grouped")))
    if how == "insert":
        at = draw(st.integers(0, len(value)))
        return value[:at] + draw(st.text(special_char, min_size=1, max_size=3)) + value[at:]
    if how == "repeat":
        return value * draw(st.sampled_from((3, 10, 100)))
    if how == "full_width":
        return full_width(value)
    return grouped(value, draw(st.sampled_from((2, 4, 6))), draw(st.sampled_from(" -　")))


def mixed(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly plausible (so the request gets past validation), often spoiled or hostile."""
    return st.one_of(valid, valid, valid, spoiled(valid), hostile_text())


def dates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
        st.dates().map(dt.date.isoformat),
        st.sampled_from(("2026-02-30", "2026-13-01", "0000-00-00", "2026/10/09", "昨天")),
    )


def months() -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1, 9999), st.integers(1, 12)),
        st.sampled_from(("2026-09", "2026-00", "2026-13", "9999-12", "0001-01", "2026-9")),
    )


def field_values(real: dict[str, Sequence[str]]) -> dict[str, st.SearchStrategy[str]]:
    """A strategy per known field name; ``real`` holds the catalogue's and the setup's codes
    (``item``, ``material``, ``point``, ``username``, ``password``, ``section``, ``outcome``).
    """
    def one_of(values: Sequence[str]) -> st.SearchStrategy[str]:
        return st.sampled_from(list(values))

    names = one_of(NAMES)
    text = st.one_of(names, st.text(st.characters(min_codepoint=0x4e00, max_codepoint=0x4fff),
                                    max_size=60))
    phones = one_of(PHONES)
    codes = one_of(CREDIT_CODES)
    ids = one_of(ID_NUMBERS)
    base = {
        "kind": one_of(("enterprise", "person", "social_organisation", "", "Person")),
        "name": names, "person_name": names, "legal_representative": names,
        "contact_person": names, "social_organisation_name": names, "applicant_name": names,
        "credit_code": codes, "id_number": ids, "identifier": st.one_of(codes, ids, phones),
        "phone": phones, "person_phone": phones, "contacted": st.one_of(phones, names),
        "form_date": dates(), "due_date": dates(), "month": months(),
        "notes": text, "note": text, "question": text, "answer": text, "reason": text,
        "answered": one_of(("on", "", "off", "1")),
        "commitment_signed": one_of(("on", "", "off")),
        "mark_all": one_of(("passed", "", "failed")),
        "next": one_of(("/", "/cases", "//evil.example", "http://evil.example/", "/\\evil",
                        "javascript:alert(1)")),
        "q": st.one_of(names, one_of(("jyxk", "web", "许可"))),
        "done": one_of(("open", "fill", "review", "accept", "")),
        "draft": one_of(("saved", "failed", "")),
        "reason_query": one_of(("expired", "inactive", "signed_out")),
        "lang": one_of(("zh_CN", "en", "zh-CN", "fr", "")),
        "seq": one_of(("1", "2", "0", "-1", "x", "99999999999999999999")),
        "logged": one_of(("1", "2", "x", "-5")),
        "answered_query": one_of(("1", "x")),
    }
    for name in ("item", "material", "point", "username", "password", "section", "outcome",
                 "network", "action", "due_date", "form_date", "month", "credit_code",
                 "id_number", "phone"):
        if real.get(name):  # the real values first: Hypothesis's simplest choice
            base[name] = st.one_of(one_of(real[name]), base[name]) if name in base else one_of(
                real[name])
    base.setdefault("outcome", one_of(("passed", "failed", "not_applicable")))
    return {name: mixed(strategy) for name, strategy in base.items()}


# ---------------------------------------------------------------------------------- bytes
def to_bytes(value: str, encoding: str) -> bytes:
    """``value`` in ``encoding``: ``utf-8`` keeps lone surrogates as invalid UTF-8 bytes."""
    if encoding == "utf-8":
        return value.encode("utf-8", "surrogatepass")
    return value.encode(encoding, "replace")


ENCODINGS = ("utf-8", "utf-8", "utf-8", "gbk", "latin-1", "utf-16")


def urlencode(pairs: Sequence[tuple[str, str]], encoding: str = "utf-8") -> bytes:
    return b"&".join(quote_from_bytes(to_bytes(k, encoding), safe="").encode() + b"="
                     + quote_from_bytes(to_bytes(v, encoding), safe="").encode()
                     for k, v in pairs)


def multipart(pairs: Sequence[tuple[str, str]], files: Sequence[tuple[str, str, bytes]],
              boundary: str, encoding: str = "utf-8") -> bytes:
    parts = []
    for name, value in pairs:
        parts.append(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\""
                     + to_bytes(name, encoding) + b"\"\r\n\r\n" + to_bytes(value, encoding)
                     + b"\r\n")
    for name, filename, content in files:
        parts.append(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\""
                     + to_bytes(name, encoding) + b"\"; filename=\""
                     + to_bytes(filename, encoding)
                     + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content
                     + b"\r\n")
    return b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
file_contents = st.one_of(st.sampled_from((PDF, PNG, b"", b"MZ\x90\x00", b"<html>")),
                          st.binary(max_size=200))
file_names = st.one_of(st.sampled_from(("scan.pdf", "photo.png", "a.exe", "../../x.pdf",
                                        "营业执照.pdf", "", "a\x00.pdf", "\u202efdp.exe")),
                       hostile_text())

BODY_KINDS = ("form", "form", "form", "form", "form_bytes", "multipart", "multipart_broken",
              "json", "unknown_type", "no_type", "empty")


@st.composite
def body(draw, pairs: list[tuple[str, str]], files: list[tuple[str, str, bytes]],
         token: str | None) -> tuple[str, bytes, dict[str, str]]:
    """(kind, bytes, headers) for a POST carrying ``pairs`` (and ``files``) some way or other.

    The CSRF token goes in the form field when the form is well-formed, otherwise (or at
    random) in the header, so broken bodies reach the route and not only the CSRF check.
    """
    kind = draw(st.sampled_from(BODY_KINDS if not files else ("multipart",) * 6 + BODY_KINDS))
    headers: dict[str, str] = {}
    in_field = kind in ("form", "multipart") and draw(st.booleans())
    if token is not None:
        if in_field:
            pairs = [*pairs, ("_csrf_token", token)]
        else:
            headers["x-csrftoken"] = token
    if kind == "form":
        return kind, urlencode(pairs), {**headers,
                                        "content-type": "application/x-www-form-urlencoded"}
    if kind == "form_bytes":
        encoding = draw(st.sampled_from(ENCODINGS[3:] + ("utf-8",)))
        raw = urlencode(pairs, encoding)
        if draw(st.booleans()):  # raw bytes, not percent-encoded, as a broken client sends
            raw = b"&".join(to_bytes(k, encoding) + b"=" + to_bytes(v, encoding)
                            for k, v in pairs) + draw(st.binary(max_size=8))
        charset = draw(st.sampled_from(("", "; charset=utf-8", "; charset=gbk",
                                        "; charset=nonsense")))
        return kind, raw, {**headers,
                           "content-type": "application/x-www-form-urlencoded" + charset}
    boundary = draw(st.sampled_from(("----onewindowfuzz", "x", "a" * 70)))
    if kind == "multipart":
        encoding = draw(st.sampled_from(ENCODINGS))
        return kind, multipart(pairs, files, boundary, encoding), {
            **headers, "content-type": f"multipart/form-data; boundary={boundary}"}
    if kind == "multipart_broken":
        raw = multipart(pairs, files, boundary)
        how = draw(st.sampled_from(("truncate", "no_boundary", "wrong_boundary", "garbage")))
        if how == "truncate":
            raw = raw[:draw(st.integers(0, max(0, len(raw) - 1)))]
        elif how == "garbage":
            raw = draw(st.binary(max_size=300))
        content_type = {"no_boundary": "multipart/form-data",
                        "wrong_boundary": "multipart/form-data; boundary=other"}.get(
            how, f"multipart/form-data; boundary={boundary}")
        return kind, raw, {**headers, "content-type": content_type}
    if kind == "json":
        raw = json.dumps(dict(pairs), ensure_ascii=draw(st.booleans())).encode(
            "utf-8", "surrogatepass")
        return kind, raw, {**headers, "content-type": "application/json"}
    if kind == "unknown_type":
        content_type = draw(st.sampled_from(("text/plain", "application/xml", "image/png",
                                             "application/x-www-form-urlencoded; charset=\x01",
                                             "multipart/mixed; boundary=x", "garbage",
                                             "application/octet-stream")))
        return kind, urlencode(pairs), {**headers, "content-type": content_type}
    if kind == "no_type":
        return kind, urlencode(pairs), headers
    return kind, b"", headers


def path_segment(real: Sequence[str]) -> st.SearchStrategy[str]:
    """A path parameter, percent-encoded: a real id most of the time, else garbage (invalid
    UTF-8, NUL, dots, slashes, very long, numbers out of range)."""
    garbage = st.one_of(
        hostile_text().map(lambda v: quote_from_bytes(to_bytes(v, "utf-8"), safe="")),
        st.binary(min_size=1, max_size=20).map(lambda b: quote_from_bytes(b, safe="")),
        st.sampled_from(("%00", "..", "%2e%2e", "%2F", "-1", "0", "99999999999999999999",
                         "1.5", "%E4%B8", "%FF%FE", "a" * 300, "%20", "~")),
    )
    if not real:
        return garbage
    valid = st.sampled_from(list(real)).map(lambda v: quote_from_bytes(v.encode(), safe="/"))
    return st.one_of(valid, valid, valid, garbage)
