"""Validation and storage of applicant uploads: extension, size, malware scan (``core.scanning``:
clamd where ``YIWANG_CLAMD`` is set, else the EICAR-only fallback) and magic bytes, SHA-256 hashed."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from yiwang.accounts.refusals import record_refusal
from yiwang.cases.errors import CaseErrorCode
from yiwang.core.errors import DomainError
from yiwang.core.scanning import ScannerUnavailable, get_scanner

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
    _scan(upload, field, original_name, digest.hexdigest())
    if not any(head.startswith(magic) for magic in MAGIC.get(extension, ())):
        raise DomainError(
            CaseErrorCode.FILE_CONTENT_MISMATCH,
            f"文件“{original_name}”的内容与扩展名 .{extension} 不符",
            {field: ["文件内容与类型不符"]},
            status=415,
        )
    return CheckedUpload(upload, extension, CONTENT_TYPES[extension], size, digest.hexdigest(), original_name)


def _scan(upload: UploadedFile, field: str, original_name: str, sha256: str) -> None:
    """Refuse a file the malware scanner flags (422, audited) or cannot scan (503: fail closed)."""
    scanner = get_scanner()
    try:
        result = scanner.scan(upload.chunks())
    except ScannerUnavailable as exc:
        record_refusal(
            "upload.scan_unavailable",
            detail={
                "file": original_name,
                "sha256": sha256,
                "scanner": scanner.name,
                "error": str(exc)[:200],
            },
        )
        raise DomainError(
            CaseErrorCode.FILE_SCAN_UNAVAILABLE,
            "文件安全检查暂不可用，请稍后再上传",
            {field: ["暂时无法检查文件"]},
            status=503,
        ) from exc
    finally:
        upload.seek(0)
    if not result.clean:
        record_refusal(
            "upload.infected",
            detail={
                "file": original_name,
                "sha256": sha256,
                "scanner": result.scanner,
                "signature": result.signature,
            },
        )
        raise DomainError(
            CaseErrorCode.FILE_INFECTED,
            f"文件“{original_name}”未通过安全检查（发现恶意代码：{result.signature}），已拒收",
            {field: ["文件含恶意代码，已拒收"]},
            status=422,
        )
