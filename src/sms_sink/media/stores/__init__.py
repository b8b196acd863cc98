"""Media stores: put bytes, get an expiring URL that Twilio can fetch.

Importing ``S3MediaStore`` does not need ``aiobotocore``; constructing one does.
"""

from __future__ import annotations

from .base import CONTENT_TYPES, MediaStore
from .local import LocalMediaServer
from .memory import MemoryMediaStore
from .s3 import S3MediaStore

__all__ = ["CONTENT_TYPES", "LocalMediaServer", "MediaStore", "MemoryMediaStore", "S3MediaStore"]
