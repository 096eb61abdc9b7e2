"""Who may change data: editors, their partner scope, passcodes and the throttle.

Reading is open to everyone. Uploading and undoing need an editor, configured in
``.streamlit/secrets.toml`` (never committed; see ``secrets.toml.example``)::

    [[editors]]
    name = "PARIS21 data lead"
    partner = "paris21"            # the partner_id this editor works for
    passcode_hash = "scrypt$16384$8$1$<salt>$<hash>"   # python -m collab_data passcode

    [[editors]]
    name = "Secretariat"
    role = "admin"                 # or partner = "admin": an administrator
    passcode_hash = "scrypt$..."

Being an administrator is always explicit (``partner = "admin"`` or ``role = "admin"``).
An entry with neither a partner nor the admin role is a configuration error: whoever
signs in with that name is told so (and the server logs it); it never becomes an admin.

When Streamlit's OIDC login (``st.login``) is configured (an ``[auth]`` section), an
e-mail allow-list maps signed-in users to the same roles instead::

    [editor_emails]
    "data.lead@paris21.org" = "paris21"
    "admin@example.org" = "admin"

Passcodes are stored only as salted scrypt hashes. Wrong passcodes are slowed down twice
(:class:`Throttle`): per session, with a wait that doubles after the third failure (up to
five minutes), and per editor name, with a short wait (a few seconds at most), so that
nobody can lock a real editor out from another session. The check and the count happen
together under one lock, so simultaneous tries cannot slip past it. An unknown name is
checked against a dummy hash of the same cost, so it takes as long as a known one.

Undo rights (:func:`can_undo`): an administrator may undo any upload or record edit. A
partner editor may undo the batches of its own partner and the activity uploads of other
partners that name its partner: every activity upload's note records each partner its
rows name (``"partners": [...]``), so a partner named in someone else's upload can see it
in the import history and take it back. Uploads by an administrator stay with the
administrators.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
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


#: Salt and digest of the dummy hash an unknown name is checked against (never matches:
#: no passcode hashes to 32 zero bytes in practice).
_DUMMY_SALT = base64.b64encode(b"collab-dummy-salt").decode()
_DUMMY_DIGEST = base64.b64encode(bytes(32)).decode()

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EditorConfig:
    name: str
    partner: str          # partner_id or "admin" ("" for a misconfigured entry)
    passcode_hash: str
    problem: str = ""     # a configuration error: this entry cannot sign in

    def editor(self) -> Editor:
        return Editor(self.name, None if self.partner == ADMIN else self.partner)


def _config_from(item) -> EditorConfig | None:
    """One ``[[editors]]`` entry; admin only when said so (``partner``/``role`` = "admin")."""
    try:
        name = str(item["name"]).strip()
    except (KeyError, TypeError):
        return None
    if not name:
        return None
    passcode_hash = str(item.get("passcode_hash") or "")
    partner = str(item.get("partner") or "").strip()
    role = str(item.get("role") or "").strip().lower()
    problem = ""
    if not passcode_hash:
        problem = "it has no passcode_hash"
    elif role and role not in (ADMIN, "editor", "partner"):
        problem = f'its role "{role}" is not "admin" or "editor"'
    elif role == ADMIN and partner and partner != ADMIN:
        problem = f'it says both role = "admin" and partner = "{partner}"'
    elif role == ADMIN or partner == ADMIN:
        partner = ADMIN
    elif not partner:
        problem = 'it has neither partner = "<partner_id>" nor role = "admin"'
    return EditorConfig(name, "" if problem else partner, passcode_hash, problem)


def editors_from_secrets(secrets: Mapping) -> list[EditorConfig]:
    """The configured editors, misconfigured ones included (with their ``problem``): they
    are refused at sign-in with a clear message, never silently given a role."""
    out = []
    for item in secrets.get("editors", []) or []:
        cfg = _config_from(item)
        if cfg is not None:
            out.append(cfg)
    return out


def email_roles(secrets: Mapping) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in dict(secrets.get("editor_emails", {}) or {}).items()}


def oidc_configured(secrets: Mapping) -> bool:
    return "auth" in secrets


class Throttle:
    """Failed sign-ins, counted per session and per editor name.

    - per session: free tries, then a wait that doubles with each failure (2, 4, 8 ... s,
      at most :attr:`MAX_WAIT`) for that session only;
    - per name (whatever the session): after :attr:`NAME_FREE_TRIES` failures a short wait
      (at most :attr:`NAME_MAX_WAIT`), so guessing stays slow while the real editor, from
      another session, waits a few seconds at most.

    :meth:`begin` checks both and counts the try as a failure in the same locked step
    (a success then clears it), so simultaneous tries cannot all pass the check.
    """

    FREE_TRIES = 3
    MAX_WAIT = 300.0
    NAME_FREE_TRIES = 3
    NAME_MAX_WAIT = 4.0
    _PRUNE_AT = 10_000

    def __init__(self):
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[int, float]] = {}
        self._names: dict[str, tuple[int, float]] = {}

    @staticmethod
    def _wait(n: int, free: int, cap: float) -> float:
        return 0.0 if n < free else min(2.0 ** (n - free + 1), cap)

    def _prune(self, table: dict[str, tuple[int, float]], now: float) -> None:
        if len(table) > self._PRUNE_AT:
            for k in [k for k, (_, until) in table.items() if until + 3600 < now]:
                del table[k]

    def wait_left(self, name: str, now: float | None = None, *, session: str | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            return self._left(name, session, now)

    def _left(self, name: str, session: str | None, now: float) -> float:
        waits = [self._names.get(name, (0, 0.0))[1] - now]
        if session is not None:
            waits.append(self._sessions.get(session, (0, 0.0))[1] - now)
        return max(0.0, *waits)

    def begin(self, name: str, now: float | None = None, *, session: str | None = None) -> float:
        """0 if a try may go ahead (it is counted as failed until :meth:`succeeded`), else
        the seconds to wait (nothing counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            left = self._left(name, session, now)
            if left > 0:
                return left
            n, _ = self._names.get(name, (0, 0.0))
            self._names[name] = (n + 1, now + self._wait(n + 1, self.NAME_FREE_TRIES, self.NAME_MAX_WAIT))
            if session is not None:
                n, _ = self._sessions.get(session, (0, 0.0))
                self._sessions[session] = (n + 1, now + self._wait(n + 1, self.FREE_TRIES, self.MAX_WAIT))
            self._prune(self._names, now)
            self._prune(self._sessions, now)
            return 0.0

    def failed(self, name: str, now: float | None = None, *, session: str | None = None) -> float:
        """Count one failed try (outside :meth:`begin`); returns the wait it imposes."""
        now = time.monotonic() if now is None else now
        with self._lock:
            left = self._left(name, session, now)
            n, _ = self._names.get(name, (0, 0.0))
            self._names[name] = (n + 1, now + self._wait(n + 1, self.NAME_FREE_TRIES, self.NAME_MAX_WAIT))
            if session is not None:
                n, _ = self._sessions.get(session, (0, 0.0))
                self._sessions[session] = (n + 1, now + self._wait(n + 1, self.FREE_TRIES, self.MAX_WAIT))
            return max(left, self._left(name, session, now))

    def succeeded(self, name: str, *, session: str | None = None) -> None:
        with self._lock:
            self._names.pop(name, None)
            if session is not None:
                self._sessions.pop(session, None)


THROTTLE = Throttle()


def _dummy_hash(configs: list[EditorConfig]) -> str:
    """A hash of the same cost as the configured ones, that no passcode matches."""
    for cfg in configs:
        parts = cfg.passcode_hash.split("$")
        if len(parts) == 6 and parts[0] == "scrypt":
            return "$".join([*parts[:4], _DUMMY_SALT, _DUMMY_DIGEST])
    return f"scrypt${_N}${_R}${_P}${_DUMMY_SALT}${_DUMMY_DIGEST}"


def sign_in(name: str, passcode: str, configs: list[EditorConfig], *, throttle: Throttle = THROTTLE,
            now: float | None = None, session: str | None = None) -> tuple[Editor | None, str]:
    """Check a passcode; returns (editor, "") or (None, what to tell the user).

    ``session`` identifies the browser session (its own throttle). Exactly one hash is
    checked per try that the throttle lets through, whether the name is known or not."""
    key = name.strip().lower()
    wait = throttle.begin(key, now, session=session)
    if wait > 0:
        return None, f"Too many wrong passcodes. Try again in {wait:.0f} s."
    matches = [cfg for cfg in configs if cfg.name.strip().lower() == key]
    if not matches:
        verify_passcode(passcode, _dummy_hash(configs))  # the same cost as a known name
    for cfg in matches:
        ok = verify_passcode(passcode, cfg.passcode_hash) if cfg.passcode_hash else \
            verify_passcode(passcode, _dummy_hash(configs))
        if cfg.problem:
            log.error("editor %r in secrets.toml is misconfigured: %s", cfg.name, cfg.problem)
            if ok:
                throttle.succeeded(key, session=session)
            return None, (f"The editor \"{cfg.name}\" is not configured correctly on this server: {cfg.problem}. "
                          "Ask the administrator to fix it in secrets.toml (partner = \"<partner_id>\" for a "
                          "partner's data lead, or role = \"admin\").")
        if ok:
            throttle.succeeded(key, session=session)
            return cfg.editor(), ""
    wait = throttle.wait_left(key, now, session=session)
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


def _note(note: str | None) -> dict:
    try:
        value = json.loads(note or "{}")
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def batch_partner(note: str | None) -> str | None:
    """The partner an upload batch was imported for (kept in the batch note); None for an
    administrator's batch."""
    return _note(note).get("partner")


def batch_partners(note: str | None) -> set[str]:
    """Every partner with a say over a batch: the partner it was imported for and, for an
    activity upload, each partner its rows name (the note's ``"partners"`` list)."""
    value = _note(note)
    named = value.get("partners") or []
    out = {str(p) for p in named if p} if isinstance(named, list) else set()
    if value.get("partner"):
        out.add(str(value["partner"]))
    return out


def is_record_edit(batch_note: str | None) -> bool:
    """Whether an 'edit' batch changed records through the history of changes (a partner,
    tool or programme edited, added by form or retired): those can be undone. Target and
    cycle changes keep their own history and are changed again instead."""
    try:
        return "records" in json.loads(batch_note or "{}")
    except (ValueError, TypeError):
        return False


def can_undo(editor: Editor | None, batch_kind: str, batch_note: str | None) -> bool:
    """Admins may undo any upload or record edit. A partner editor may undo its own
    partner's uploads and edits, and an upload by another partner that names its partner
    (:func:`batch_partners`): a partner listed in someone else's activities can take them
    back. An administrator's batch (no partner in the note) is undone by administrators."""
    if editor is None or batch_kind not in ("upload", "edit"):
        return False
    if batch_kind == "edit" and not is_record_edit(batch_note):
        return False
    if editor.is_admin:
        return True
    if editor.partner_id is None or batch_partner(batch_note) is None:
        return False
    return editor.partner_id in batch_partners(batch_note)
