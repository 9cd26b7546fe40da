"""Client address for login throttling (django-axes).

Behind a reverse proxy every request comes from the proxy's address; trusting a header a
client can set (X-Forwarded-For) would let one attacker lock out anyone. So the address is
taken from exactly one header, named in CLIENT_IP_HEADER, that the proxy overwrites; with
no header configured, REMOTE_ADDR is used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    header = settings.NVOS_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    # A proxy that appends to X-Forwarded-For puts the address it saw last.
    candidate = value.split(",")[-1].strip() if value else request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
