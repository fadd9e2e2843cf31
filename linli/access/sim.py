"""A terminal that speaks the protocol of docs/terminals.md: the reference implementation for
device vendors, the tool of the demo (`linli terminal-sim`) and the client the tests drive.

It syncs a signed snapshot (full, then deltas), decides online when it can and locally from
the snapshot when the server is unreachable (cards, room + PIN, passes and residents' QR codes
verified offline with the JWKS), buffers what it decided offline and uploads it later; the
event ids it generates make the upload idempotent.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from linli.access import jws, pass_tokens, schedule
from linli.access.digests import clean_card, clean_pin
from linli.access.terminal_auth import signing_string
from linli.core.errors import ServiceError


class Unreachable(Exception):
    """The server did not answer (network down, server stopped, timeout)."""


class Refused(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(f"{status} {body.get('code', '')}")
        self.status = status
        self.body = body


class HttpTransport:
    """HTTP to a running server, with the bearer secret or an Ed25519 request signature."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str = "",
        terminal_id: int = 0,
        private_key: bytes = b"",
        timeout: float = 3.0,
    ):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.token = token
        self.terminal_id = terminal_id
        self.key = Ed25519PrivateKey.from_private_bytes(private_key) if private_key else None
        self.timeout = timeout

    def _headers(self, method: str, path: str, body: bytes) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.key is not None:
            stamp = str(int(time.time()))
            message = signing_string(method, "/api/v1" + path, stamp, body)
            headers.update(
                {
                    "X-Linli-Terminal": str(self.terminal_id),
                    "X-Linli-Timestamp": stamp,
                    "X-Linli-Signature": jws.b64url_encode(self.key.sign(message)),
                }
            )
        elif self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else b""
        req = urllib.request.Request(
            self.base + path, data=data or None, method=method, headers=self._headers(method, path, data)
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise Unreachable(str(exc)) from exc


@dataclass
class State:
    """Everything a terminal keeps between restarts (persisted as JSON)."""

    version: int = 0
    iss: str = ""
    community: int = 0
    point: dict = field(default_factory=dict)
    jwks: dict = field(default_factory=lambda: {"keys": []})
    card_key: str = ""
    pin_salt: str = ""
    pin_scrypt: dict = field(default_factory=dict)
    entries: dict[str, dict] = field(default_factory=dict)
    rooms: dict[str, int] = field(default_factory=dict)
    blocked: dict[str, dict] = field(default_factory=dict)  # jti → {"exp", "reason"}
    local_uses: dict[str, int] = field(default_factory=dict)
    buffer: list[dict] = field(default_factory=list)


@dataclass
class Outcome:
    allow: bool
    reason: str
    person: int | None = None
    offline: bool = False
    event_id: str = ""
    detail: dict = field(default_factory=dict)  # a barrier's: the fee owed and its pay link


# The most favourable outcome among a person's grants is reported, as on the server.
_RANK = [
    "granted",
    "outside_schedule",
    "grant_not_yet_valid",
    "grant_expired",
    "source_ended",
    "helper_host_left",
]


class TerminalSimulator:
    def __init__(self, transport, state: State | None = None, state_path: Path | None = None):
        self.transport = transport
        self.state = state or State()
        self.state_path = state_path

    # --- persistence ---------------------------------------------------------------------

    @classmethod
    def load(cls, transport, path: Path) -> "TerminalSimulator":
        state = State(**json.loads(path.read_text())) if path.exists() else State()
        return cls(transport, state, path)

    def save(self) -> None:
        if self.state_path is not None:
            self.state_path.write_text(json.dumps(asdict(self.state), ensure_ascii=False))

    # --- sync ----------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        status, payload = self.transport.request(method, path, body)
        if status >= 400:
            raise Refused(status, payload or {})
        return payload

    def _verify(self, token: str) -> dict:
        """Checks the snapshot's signature with the JWKS we trust; on an unknown key (first
        sync, or a rotation) fetch the community's published JWKS once and retry."""
        _header, unverified = jws.peek(token)
        try:
            return jws.verify(token, jws.keys_from_jwks(self.state.jwks))[1]
        except jws.JwsError as exc:
            if exc.code != "pass_unknown_key":
                raise
        self.state.jwks = self._call("GET", f"/communities/{int(unverified['community'])}/jwks.json")
        return jws.verify(token, jws.keys_from_jwks(self.state.jwks))[1]

    def sync(self) -> dict:
        answer = self._call("GET", f"/terminals/me/snapshot?since={self.state.version}")
        payload = self._verify(answer["snapshot"])
        self.apply(payload)
        self.save()
        return {"version": payload["version"], "full": payload["full"], "entries": len(payload["entries"])}

    def apply(self, payload: dict) -> None:
        s = self.state
        if payload["full"]:
            s.entries, s.blocked, s.rooms = {}, {}, payload.get("rooms", {})
        for entry in payload["entries"]:
            s.entries[str(entry["person"])] = entry
        for person in payload["removed"]:
            s.entries.pop(str(person), None)
        for item in payload["blocked_passes"]:
            s.blocked[item["jti"]] = {"exp": item["exp"], "reason": item["reason"]}
        now = timezone.now().timestamp()
        s.blocked = {jti: b for jti, b in s.blocked.items() if b["exp"] > now}
        s.version, s.iss, s.community, s.point = (
            payload["version"],
            payload["iss"],
            payload["community"],
            payload["point"],
        )
        s.jwks, s.card_key, s.pin_salt = payload["jwks"], payload["card_key"], payload["pin_salt"]
        s.pin_scrypt = payload["pin_scrypt"]

    # --- decisions -----------------------------------------------------------------------

    def decide(
        self, method: str, *, now: datetime | None = None, pass_jti: str | None = None, **credential
    ) -> Outcome:
        """Online first; if the server is unreachable, locally from the snapshot, buffered."""
        event_id = str(uuid.uuid4())
        try:
            body = self._call(
                "POST", "/access/decide", {"method": method, "event_id": event_id, **credential}
            )
        except Unreachable:
            outcome = self.decide_locally(method, now=now, **credential)
            outcome.event_id = event_id
            at = (now or timezone.now()).isoformat()
            self.state.buffer.append(
                {
                    "id": event_id,
                    "at": at,
                    "method": method,
                    "allowed": outcome.allow,
                    "reason": outcome.reason,
                    "person": outcome.person,
                    "pass_jti": pass_jti,
                }
            )
            self.save()
            return outcome
        person = (body.get("person") or {}).get("id")
        return Outcome(body["allow"], body["reason"], person, False, event_id)

    def read_plate(self, plate: str) -> Outcome:
        """A barrier's camera read a plate. Online only: a barrier the server cannot be reached
        from runs on its own controller's list (docs/terminals.md)."""
        event_id = str(uuid.uuid4())
        body = self._call("POST", "/access/plate-events", {"plate": plate, "event_id": event_id})
        return Outcome(body["allow"], body["reason"], None, False, event_id, body.get("detail") or {})

    def decide_locally(
        self,
        method: str,
        *,
        now: datetime | None = None,
        card: str = "",
        house: int | None = None,
        pin: str = "",
        qr: str = "",
        **_ignored,
    ) -> Outcome:
        now = now or timezone.now()
        if method == "card":
            return self._by_card(card, now)
        if method == "pin":
            return self._by_pin(house, pin, now)
        if method == "qr":
            return self._by_qr(qr, now)
        return Outcome(False, "offline_method_unavailable", offline=True)  # faces need the server

    def _judge(self, person: str | None, now: datetime) -> Outcome:
        entry = self.state.entries.get(person or "")
        if entry is None:
            return Outcome(
                False, "no_grant" if person else "unknown_credential", int(person) if person else None, True
            )
        best = "no_grant"
        for grant in entry["grants"]:
            reason = self._judge_grant(grant, now)
            if best == "no_grant" or _RANK.index(reason) < _RANK.index(best):
                best = reason
        return Outcome(best == "granted", best, int(person), True)

    @staticmethod
    def _judge_grant(grant: dict, now: datetime) -> str:
        """As the server judges: a grant whose source ended says so ("ended", or a helper's
        "source_ends_at" passed while offline), before its own window."""
        if "ended" in grant:
            return grant["ended"]
        source_end = grant.get("source_ends_at")
        if source_end and datetime.fromisoformat(source_end) <= now:
            return grant["source_reason"]
        start = datetime.fromisoformat(grant["from"])
        until = datetime.fromisoformat(grant["until"]) if grant["until"] else None
        if until is not None and until <= now:
            return "grant_expired"
        if start > now:
            return "grant_not_yet_valid"
        if not schedule.allows(grant["schedule"], now):
            return "outside_schedule"
        return "granted"

    def _find(self, predicate) -> str | None:
        return next((pid for pid, entry in self.state.entries.items() if predicate(entry)), None)

    def _by_card(self, number: str, now: datetime) -> Outcome:
        try:
            number = clean_card(number)
        except ServiceError:
            return Outcome(False, "unknown_credential", offline=True)
        key = base64.b64decode(self.state.card_key)
        digest = hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
        return self._judge(self._find(lambda e: digest in e["cards"]), now)

    def _by_pin(self, house: int | None, pin: str, now: datetime) -> Outcome:
        try:
            pin = clean_pin(pin)
        except ServiceError:
            return Outcome(False, "unknown_credential", offline=True)
        salt = base64.b64decode(self.state.pin_salt) + f":{house}".encode()
        verifier = hashlib.scrypt(pin.encode(), salt=salt, **self.state.pin_scrypt).hex()
        match = self._find(
            lambda e: any(p["house"] == house and p["verifier"] == verifier for p in e["pins"])
        )
        return self._judge(match, now)

    def _by_qr(self, token: str, now: datetime) -> Outcome:
        try:
            _header, claims = jws.verify(token, jws.keys_from_jwks(self.state.jwks))
            verified = pass_tokens.check_claims(claims, self.state.iss, now)
        except jws.JwsError as exc:
            return Outcome(False, exc.code, offline=True)
        if verified.kind == "resident":
            return self._judge(str(verified.subject_id), now)
        jti = claims.get("jti", "")
        if jti in self.state.blocked:
            return Outcome(False, self.state.blocked[jti]["reason"], offline=True)
        if self.state.point.get("id") not in claims.get("gates", []):
            return Outcome(False, "pass_wrong_gate", offline=True)
        # Offline, uses are counted per terminal; the server adds them up at upload.
        if self.state.local_uses.get(jti, 0) >= claims.get("max_uses", 1):
            return Outcome(False, "pass_used_up", offline=True)
        self.state.local_uses[jti] = self.state.local_uses.get(jti, 0) + 1
        return Outcome(True, "visitor_pass", offline=True)

    def scan_qr(self, token: str, now: datetime | None = None) -> Outcome:
        """A QR scan; the pass's jti travels with a buffered event so the server counts the use."""
        try:
            jti = jws.peek(token)[1].get("jti")
        except jws.JwsError:
            jti = None
        return self.decide("qr", now=now, qr=token, pass_jti=jti)

    # --- upload and commands -------------------------------------------------------------

    def upload(self) -> dict:
        if not self.state.buffer:
            return {"accepted": 0, "duplicates": 0}
        result = self._call("POST", "/terminals/me/events", {"events": self.state.buffer})
        self.state.buffer = []
        self.save()
        return result

    def commands(self) -> list[dict]:
        return self._call("GET", "/terminals/me/commands")

    def run(self, seconds: float, on_line=print) -> None:
        """The device loop: poll, open on commands, upload when back online. Bounded."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                on_line({"sync": self.sync()})
                for command in self.commands():
                    on_line({"open": command})
                if self.state.buffer:
                    on_line({"upload": self.upload()})
            except Unreachable as exc:
                on_line({"offline": str(exc)})
            time.sleep(min(3, max(0.0, deadline - time.monotonic())))


def transport_for(url: str, token: str = "", terminal_id: int = 0, key_file: str = "") -> HttpTransport:
    private = jws.b64url_decode(Path(key_file).read_text().strip()) if key_file else b""
    return HttpTransport(url, token=token, terminal_id=terminal_id, private_key=private)
