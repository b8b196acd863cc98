"""The outbox folder: every message as ``NNNN-<sid>.json``, its images beside it, and ``index.html``.

Called from a worker thread (``asyncio.to_thread``), so one lock keeps the
numbering and the index consistent; files are replaced atomically so a browser
or a test never reads half a page. Messages already in the folder (an earlier
run) are kept and stay on the page.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from .page import render_index
from .records import SandboxMessage, message_to_json

__all__ = ["Outbox"]

logger = logging.getLogger("sms_sink.sandbox")


class Outbox:
    """Writes messages into ``directory`` and keeps ``index.html`` current."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._entries = self._load()
        with self._lock:
            self._write_index()

    @property
    def index_path(self) -> Path:
        """Where the page lives."""
        return self.directory / "index.html"

    def write(self, message: SandboxMessage) -> Path:
        """Save ``message`` and its images, regenerate the page; returns the JSON path."""
        with self._lock:
            n = max((entry["n"] for entry in self._entries), default=0) + 1
            names = [f"{message.sid}-{i}.{image.extension}" for i, image in enumerate(message.images)]
            for name, image in zip(names, message.images):
                _atomic_write(self.directory / name, image.data)
            entry = message_to_json(message, image_url=names.__getitem__)
            entry["n"] = n
            path = self.directory / f"{n:04d}-{message.sid}.json"
            _atomic_write(path, json.dumps(entry, indent=2, ensure_ascii=False).encode("utf-8"))
            self._entries.append(entry)
            self._write_index()
            return path

    def clear(self) -> None:
        """Delete the earlier messages and their images from the folder (nothing else in it)."""
        with self._lock:
            for entry in self._entries:
                (self.directory / f"{entry['n']:04d}-{entry['sid']}.json").unlink(missing_ok=True)
                for image in entry.get("images", ()):
                    if isinstance(image, dict) and isinstance(image.get("url"), str):
                        (self.directory / Path(image["url"]).name).unlink(missing_ok=True)
            self._entries = []
            self._write_index()

    def entries(self) -> list[dict[str, Any]]:
        """The saved message dicts, oldest first (image ``url``s are file names)."""
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def render(self, *, image_prefix: str = "", refresh_s: int | None = None) -> str:
        """The page for these entries with image URLs prefixed (``"/outbox/"`` when served)."""
        return render_index(self.entries(), image_prefix=image_prefix, refresh_s=refresh_s)

    def _write_index(self) -> None:
        _atomic_write(self.index_path, render_index(self._entries).encode("utf-8"))

    def _load(self) -> list[dict[str, Any]]:
        entries = []
        for path in sorted(self.directory.glob("[0-9]*-*.json")):
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                logger.warning("sandbox outbox: skipping unreadable %s (%s)", path.name, exc)
                continue
            if isinstance(entry, dict) and isinstance(entry.get("n"), int) and "sid" in entry:
                entries.append(entry)
        return sorted(entries, key=lambda entry: entry["n"])


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path`` and rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the page is meant to be opened and served
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
