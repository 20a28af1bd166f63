"""Who may reach the web UI: loopback by default, other addresses only behind a login.

Checked before anything heavy is loaded, so that `yttra serve --host 0.0.0.0` without a
login stops at once with a message instead of serving the documents to the network.
"""

from __future__ import annotations

import ipaddress

from ingest.errors import YttraError

DEFAULT_HOST = "127.0.0.1"
MIN_PASSWORD_CHARS = 12


class ExposureError(YttraError):
    """The web UI would be reachable from other machines without a proper login."""


def is_loopback(host: str) -> bool:
    """True if `host` can only be reached from this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may well resolve to a LAN address


def check_binding(host: str, username: str, password: str) -> None:
    """Refuse to serve on `host` if that would expose the UI without a proper login.

    A login needs both a user name and a password; an address other than loopback needs
    a login whose password has at least `MIN_PASSWORD_CHARS` characters.
    """
    if bool(username) != bool(password):
        raise ExposureError(
            "Inloggningen är halvt konfigurerad: ange både YTTRA_UI_USERNAME och "
            "YTTRA_UI_PASSWORD, eller ingen av dem."
        )
    if is_loopback(host):
        return
    if not username:
        raise ExposureError(
            f"Vägrar att lyssna på {host} utan inloggning: ange YTTRA_UI_USERNAME och "
            f"YTTRA_UI_PASSWORD, eller lyssna bara på {DEFAULT_HOST}."
        )
    if len(password) < MIN_PASSWORD_CHARS:
        raise ExposureError(
            f"Vägrar att lyssna på {host}: YTTRA_UI_PASSWORD är för kort "
            f"(minst {MIN_PASSWORD_CHARS} tecken krävs när andra datorer kan nå sidan)."
        )
