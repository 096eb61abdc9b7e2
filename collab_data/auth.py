"""Who may change data: editors, their partner scope, passcodes and the throttle.

Reading is open to everyone. Uploading and undoing need an editor, configured in
``.streamlit/secrets.toml`` (never committed; see ``secrets.toml.example``)::

    [[editors]]
    name = "PARIS21 data lead"
    partner = "paris21"            # a partner_id, or "admin"
    passcode_hash = "scrypt$16384$8$1$<salt>$<hash>"   # python -m collab_data passcode

When Streamlit's OIDC login (``st.login``) is configured (an ``[auth]`` section), an
e-mail allow-list maps signed-in users to the same roles instead::

    [editor_emails]
    "data.lead@paris21.org" = "paris21"
    "admin@example.org" = "admin"

Passcodes are stored only as salted scrypt hashes. Repeated wrong passcodes are slowed
down: after three failures for a name, each further attempt must wait longer (up to
five minutes), whatever the session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from collab_data.ingest.activities import Editor

ADMIN = "admin"
_N, _R, _P = 2**14, 8, 1


def hash_passcode(passcode: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(passcode.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_passcode(passcode: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(passcode.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


@dataclass(frozen=True)
class EditorConfig:
    name: str
    partner: str          # partner_id or "admin"
    passcode_hash: str

    def editor(self) -> Editor:
        return Editor(self.name, None if self.partner == ADMIN else self.partner)


def editors_from_secrets(secrets: Mapping) -> list[EditorConfig]:
    out = []
    for item in secrets.get("editors", []) or []:
        try:
            out.append(EditorConfig(str(item["name"]), str(item.get("partner", ADMIN)), str(item["passcode_hash"])))
        except (KeyError, TypeError):
            continue
    return out


def email_roles(secrets: Mapping) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in dict(secrets.get("editor_emails", {}) or {}).items()}


def oidc_configured(secrets: Mapping) -> bool:
    return "auth" in secrets


class Throttle:
    """Failed sign-ins per name; the wait doubles after the third failure (max 300 s)."""

    FREE_TRIES = 3
    MAX_WAIT = 300.0

    def __init__(self):
        self._lock = threading.Lock()
        self._fails: dict[str, tuple[int, float]] = {}

    def wait_left(self, key: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            n, until = self._fails.get(key, (0, 0.0))
        return max(0.0, until - now)

    def failed(self, key: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            n, _ = self._fails.get(key, (0, 0.0))
            n += 1
            wait = 0.0 if n < self.FREE_TRIES else min(2.0 ** (n - self.FREE_TRIES + 1), self.MAX_WAIT)
            self._fails[key] = (n, now + wait)
        return wait

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


THROTTLE = Throttle()


def sign_in(name: str, passcode: str, configs: list[EditorConfig], *, throttle: Throttle = THROTTLE,
            now: float | None = None) -> tuple[Editor | None, str]:
    """Check a passcode; returns (editor, "") or (None, what to tell the user)."""
    key = name.strip().lower()
    wait = throttle.wait_left(key, now)
    if wait > 0:
        return None, f"Too many wrong passcodes. Try again in {wait:.0f} s."
    for cfg in configs:
        if cfg.name.strip().lower() == key and verify_passcode(passcode, cfg.passcode_hash):
            throttle.succeeded(key)
            return cfg.editor(), ""
    wait = throttle.failed(key, now)
    msg = "Name or passcode not recognised."
    if wait:
        msg += f" Wait {wait:.0f} s before the next try."
    return None, msg


def editor_for_email(email: str | None, roles: dict[str, str]) -> Editor | None:
    if not email:
        return None
    role = roles.get(email.lower())
    if role is None:
        return None
    return Editor(email, None if role == ADMIN else role)


def batch_partner(note: str | None) -> str | None:
    """The partner an upload batch was imported for (kept in the batch note)."""
    try:
        return json.loads(note or "{}").get("partner")
    except (ValueError, AttributeError):
        return None


def is_record_edit(batch_note: str | None) -> bool:
    """Whether an 'edit' batch changed records through the history of changes (a partner,
    tool or programme edited, added by form or retired): those can be undone. Target and
    cycle changes keep their own history and are changed again instead."""
    try:
        return "records" in json.loads(batch_note or "{}")
    except (ValueError, TypeError):
        return False


def can_undo(editor: Editor | None, batch_kind: str, batch_note: str | None) -> bool:
    """Admins may undo any upload or record edit; a partner editor only its own partner's."""
    if editor is None or batch_kind not in ("upload", "edit"):
        return False
    if batch_kind == "edit" and not is_record_edit(batch_note):
        return False
    return editor.is_admin or (batch_partner(batch_note) is not None and batch_partner(batch_note) == editor.partner_id)
