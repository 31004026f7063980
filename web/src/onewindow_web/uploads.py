"""Supplement uploads (补正材料): what a file really is, judged by its bytes, never its name.

A scanned material is a PDF, a JPEG or a PNG. The type is read from the file's first bytes
(its magic number); the filename and the browser's Content-Type are not trusted, so an
executable renamed ``scan.pdf`` is refused. The stored name is given the extension of the type
found, so the file opens as what it is.
"""

from __future__ import annotations

from pathlib import PurePath

from attrs import frozen

from .i18n import N_

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 MB per file
# The request may be a little larger than the file: the multipart framing and the form fields.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
MAX_FILENAME = 100

# (magic bytes, type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}

EMPTY = N_("The file is empty. Choose the scanned material again.")
TOO_LARGE = N_("The file is larger than 10 MB. Scan it at a lower resolution and upload it "
               "again.")
WRONG_TYPE = N_("Only PDF, JPEG or PNG files can be uploaded; this file is none of them, "
                "whatever its name says.")
NO_FILE = N_("Choose the file to upload.")


class UploadRefused(ValueError):
    """The upload is not acceptable; ``message`` is an English msgid to translate."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@frozen
class CheckedUpload:
    filename: str
    content_type: str
    content: bytes


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's magic bytes, or None for anything else."""
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    return None


def stored_name(filename: str, content_type: str) -> str:
    """The client's base name, with the sniffed type's extension added when it lacks one."""
    name = PurePath(filename.replace("\\", "/")).name.strip() or "upload"
    if PurePath(name).suffix.lower() not in EXTENSIONS[content_type]:
        name += EXTENSIONS[content_type][0]
    if len(name) > MAX_FILENAME:
        suffix = PurePath(name).suffix
        name = name[:MAX_FILENAME - len(suffix)] + suffix
    return name


def check_upload(filename: str, content: bytes) -> CheckedUpload:
    """Accept a PDF, JPEG or PNG of at most 10 MB; raise :class:`UploadRefused` otherwise."""
    if not content:
        raise UploadRefused(EMPTY)
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRefused(TOO_LARGE)
    found = sniff(content)
    if found is None:
        raise UploadRefused(WRONG_TYPE)
    content_type, _ = found
    return CheckedUpload(stored_name(filename, content_type), content_type, content)
