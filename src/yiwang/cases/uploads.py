"""Validation and storage of applicant uploads: extension, size and magic bytes, SHA-256 hashed."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from yiwang.cases.errors import CaseErrorCode
from yiwang.core.errors import DomainError

# The first bytes each allowed type must start with: a renamed .exe is refused even as ".pdf".
MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "ofd": (b"PK\x03\x04",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "ofd": "application/ofd",
}


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    extension: str
    content_type: str
    size: int
    sha256: str
    original_name: str

    @property
    def storage_name(self) -> str:
        return f"{uuid.uuid4().hex}.{self.extension}"


def check_upload(upload: UploadedFile, field: str) -> CheckedUpload:
    """Refuse forbidden types, oversized files and content that does not match its extension."""
    original_name = PurePath(upload.name or "file").name[:255]
    extension = original_name.rsplit(".", 1)[-1].lower() if "." in original_name else ""
    allowed = settings.YIWANG_UPLOAD_EXTENSIONS
    if extension not in allowed:
        raise DomainError(
            CaseErrorCode.FILE_TYPE_FORBIDDEN,
            f"不支持的文件类型“.{extension or '?'}”，仅支持 {', '.join(allowed)}",
            {field: [f"文件类型不允许：{original_name}"]},
            status=415,
        )
    size = upload.size or 0
    max_bytes = settings.YIWANG_UPLOAD_MAX_BYTES
    if size > max_bytes:
        raise DomainError(
            CaseErrorCode.FILE_TOO_LARGE,
            f"文件“{original_name}”超过 {max_bytes // (1024 * 1024)} MB 上限",
            {field: [f"文件过大：{size} 字节"]},
            status=413,
        )
    if size == 0:
        raise DomainError(
            CaseErrorCode.FILE_CONTENT_MISMATCH, f"文件“{original_name}”为空", {field: ["空文件"]}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    head = b""
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC.get(extension, ())):
        raise DomainError(
            CaseErrorCode.FILE_CONTENT_MISMATCH,
            f"文件“{original_name}”的内容与扩展名 .{extension} 不符",
            {field: ["文件内容与类型不符"]},
            status=415,
        )
    return CheckedUpload(upload, extension, CONTENT_TYPES[extension], size, digest.hexdigest(), original_name)
