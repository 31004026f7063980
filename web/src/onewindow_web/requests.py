"""The request class: a form body the hall cannot read is a 400 with a Chinese page.

Litestar reads ``application/x-www-form-urlencoded`` bodies as Latin-1 with invalid
percent-escapes replaced, so a body that is not UTF-8 would reach the core as mojibake, and a
multipart field that is not UTF-8 (or names an unknown charset) raised an unhandled error (a
500), on the anonymous login too. Every form read goes through :meth:`HallRequest.form` (the
CSRF middleware reads it through ``app.request_class`` as well), which refuses:

* a urlencoded body with raw non-ASCII bytes, or percent-escapes that are not UTF-8;
* a multipart body that does not parse, or a field that is not UTF-8;
* any other content type with a body (a JSON or XML post to a form's address).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from litestar.datastructures import FormMultiDict
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar_htmx import HTMXRequest

from .errors import BadRequestBody

FORM_TYPES = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)
NOT_UTF8 = "表单内容不是有效的 UTF-8 编码，请在本系统的页面上重新填写后提交"
BAD_MULTIPART = "上传的表单内容不完整或格式有误，请重新选择文件后提交"
BAD_TYPE = "不支持的提交方式（{content_type}），请使用本系统页面上的表单提交"


def urlencoded_is_utf8(body: bytes) -> bool:
    """True when every name and value of a urlencoded body decodes as UTF-8."""
    if not body.isascii():  # browsers percent-encode everything else
        return False
    try:
        for pair in body.split(b"&"):
            for part in pair.split(b"=", 1):
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class HallRequest(HTMXRequest):
    """htmx's request, whose form is only ever one the hall can read (else 400)."""

    async def form(self) -> FormMultiDict:
        content_type, _options = self.content_type
        if content_type == RequestEncodingType.URL_ENCODED:
            if not urlencoded_is_utf8(await self.body()):
                raise BadRequestBody(detail=NOT_UTF8)
        elif content_type == RequestEncodingType.MULTI_PART:
            try:
                return await super().form()
            except (UnicodeDecodeError, LookupError):  # a field's bytes, its charset
                raise BadRequestBody(detail=NOT_UTF8) from None
            except ClientException as exc:  # unparsable; a 413 keeps its own page
                if exc.status_code != 400:
                    raise
                raise BadRequestBody(detail=BAD_MULTIPART) from None
        elif await self.body():
            raise BadRequestBody(detail=BAD_TYPE.format(content_type=content_type[:60] or "无"))
        return await super().form()
