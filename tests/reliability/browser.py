"""A plain HTTP client that behaves like a browser towards the real server: it keeps
cookies, sends the CSRF token with forms and can connect from its own loopback address."""

from __future__ import annotations

import http.client
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

FormData = Mapping[str, str] | Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    text: str


class Browser:
    def __init__(
        self,
        base: str,
        *,
        cookies: Mapping[str, str] | None = None,
        source_address: str = "127.0.0.1",
        timeout: float = 180,
    ) -> None:
        address = urlsplit(base)
        self.host = address.hostname or "127.0.0.1"
        self.port = address.port or 80
        self.cookies = dict(cookies or {})
        self.source_address = source_address
        self.timeout = timeout

    def get(self, path: str) -> Answer:
        return self._request("GET", path, b"", {})

    def post(self, path: str, data: FormData) -> Answer:
        fields = list(data.items()) if isinstance(data, Mapping) else list(data)
        body = urlencode([*fields, ("csrfmiddlewaretoken", self._csrf_token())]).encode()
        return self._request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def post_file(
        self, path: str, data: FormData, *, field: str, filename: str, content: bytes
    ) -> Answer:
        boundary = uuid.uuid4().hex
        fields = list(data.items()) if isinstance(data, Mapping) else list(data)
        parts = []
        for name, value in [*fields, ("csrfmiddlewaretoken", self._csrf_token())]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self._request(
            "POST",
            path,
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )

    def _csrf_token(self) -> str:
        # A browser gets this cookie from the first page it loads; any well-formed one works.
        return self.cookies.setdefault("csrftoken", secrets.token_hex(16))

    def _request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=self.timeout, source_address=(self.source_address, 0)
        )
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return Answer(response.status, response.getheader("Location", ""), text)
        finally:
            connection.close()
