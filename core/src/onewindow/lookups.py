"""Dedicated-network look-ups (业务专网查询) and the HTTP/JSON adapter they share.

A window clerk queries a section's dedicated network (the enterprise credit registry, the
investment project platform, ...) to check a material. Every query is recorded on its case
with a hash of the answer, so the applicant is never asked again for what was looked up.

The networks are not reachable from every hall machine, and never reliably: a look-up must
answer *unavailable* in words a clerk understands instead of raising.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from .catalogue import _code, _text

DEFAULT_TIMEOUT_SECONDS = 5.0


class LookupStatus(enum.StrEnum):
    FOUND = "found"  # 查询到记录
    NOT_FOUND = "not_found"  # 无此记录
    UNAVAILABLE = "unavailable"  # 专网不可用
    REJECTED = "rejected"  # 查询条件有误


@frozen
class LookupParam:
    """One thing the clerk types in to query a network, e.g. the credit code."""

    name: str = field(validator=_code)
    label: str = field(validator=_text)  # shown on screen, in Chinese


@frozen
class LookupResult:
    """The answer of one query. ``record`` is the network's data when FOUND."""

    status: LookupStatus
    message: str
    record: Mapping[str, Any] = field(factory=dict)

    @property
    def answer_hash(self) -> str:
        """SHA-256 of the canonical JSON of status and record: what the case keeps as proof."""
        canonical = json.dumps(
            {"status": str(self.status), "record": self.record},
            ensure_ascii=False, sort_keys=True, separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@runtime_checkable
class Lookup(Protocol):
    """What a plugin returns from ``onewindow_lookups``.

    ``network`` is the code items name in their ``lookups`` table; ``title`` is shown to the
    clerk (e.g. 国家企业信用信息公示系统); ``params`` are what the clerk types in.
    """

    network: str
    title: str
    params: tuple[LookupParam, ...]

    def query(self, params: Mapping[str, str], *, case_number: str | None) -> LookupResult:
        """Ask the network. Must not raise for network faults: return UNAVAILABLE instead."""
        ...


def network_base_url(network: str, default: str | None = None) -> str | None:
    """The configured base URL of a network: ``ONEWINDOW_NETWORK_<NETWORK>_URL``.

    Falls back to ``ONEWINDOW_SANDBOX_URL`` + ``/<network>`` (the sandbox registry), then to
    ``default``.
    """
    key = "ONEWINDOW_NETWORK_" + network.upper().replace("-", "_").replace(".", "_") + "_URL"
    if os.environ.get(key):
        return os.environ[key].rstrip("/")
    sandbox = os.environ.get("ONEWINDOW_SANDBOX_URL")
    if sandbox:
        return sandbox.rstrip("/") + "/" + network
    return default


@frozen
class HttpJsonLookup:
    """A look-up that GETs ``<base>/<path>`` with the parameters as a query string.

    The network answers 200 with a JSON object for a record, 404 for no record. The case
    number travels in the ``X-Onewindow-Case`` header (as X-Road's ``X-Road-Issue`` does) so
    the network's own log can be matched to the case.
    """

    network: str = field(validator=_code)
    title: str = field(validator=_text)
    params: tuple[LookupParam, ...] = field(converter=tuple)
    path: str = "records"
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    base_url: str | None = None

    def query(self, params: Mapping[str, str], *, case_number: str | None) -> LookupResult:
        missing = [p.label for p in self.params if not str(params.get(p.name, "")).strip()]
        if missing:
            return LookupResult(LookupStatus.REJECTED, "请填写：" + "、".join(missing))
        base = self.base_url or network_base_url(self.network)
        if not base:
            return LookupResult(
                LookupStatus.UNAVAILABLE, f"{self.title}未配置访问地址，专网暂不可用"
            )
        query = urllib.parse.urlencode({p.name: str(params[p.name]).strip() for p in self.params})
        request = urllib.request.Request(
            f"{base}/{self.path}?{query}",
            headers={"Accept": "application/json", "X-Onewindow-Case": case_number or ""},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                record = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return LookupResult(LookupStatus.NOT_FOUND, f"{self.title}中未查询到该记录")
            if exc.code in (400, 422):
                return LookupResult(LookupStatus.REJECTED, f"{self.title}拒绝了查询条件")
            return LookupResult(
                LookupStatus.UNAVAILABLE, f"{self.title}暂不可用（HTTP {exc.code}），请稍后重试"
            )
        except (urllib.error.URLError, TimeoutError, OSError):
            return LookupResult(
                LookupStatus.UNAVAILABLE, f"{self.title}连接失败或超时，专网暂不可用，请稍后重试"
            )
        except (ValueError, UnicodeDecodeError):
            return LookupResult(LookupStatus.UNAVAILABLE, f"{self.title}返回了无法识别的数据")
        if not isinstance(record, dict):
            return LookupResult(LookupStatus.UNAVAILABLE, f"{self.title}返回了无法识别的数据")
        return LookupResult(LookupStatus.FOUND, f"{self.title}查询到记录", record)
