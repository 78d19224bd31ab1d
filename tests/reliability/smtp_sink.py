"""A mail server for tests: it accepts every message over real SMTP and counts, for each
recipient, the Message-IDs it received."""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

#: The Message-ID header, read from the raw message without parsing all of it (parsing ten
#: thousand messages would slow the mail server down more than the sender).
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


class SmtpSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self._lock = threading.Lock()
        self._received: dict[str, list[str]] = defaultdict(list)
        self._count = 0
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        headers = (envelope.original_content or b"").split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(headers)
        message_id = found.group(1).decode() if found else ""
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self._received[recipient.lower()].append(message_id)
                self._count += 1
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def count(self) -> int:
        """Messages accepted so far, one per recipient."""
        with self._lock:
            return self._count

    def received(self) -> dict[str, list[str]]:
        """The Message-IDs each recipient got, in the order they arrived."""
        with self._lock:
            return {recipient: list(ids) for recipient, ids in self._received.items()}

    def copies(self) -> Counter[str]:
        with self._lock:
            return Counter({recipient: len(ids) for recipient, ids in self._received.items()})
