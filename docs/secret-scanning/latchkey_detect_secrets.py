"""A detect-secrets plugin for Latchkey API tokens.

A Latchkey token is `lk_`, 43 base62 characters (32 random bytes) and 6 base62 characters of
the CRC-32 (zlib) of those 43 characters: 52 characters in all. The plugin finds
`lk_[0-9A-Za-z]{49}` anywhere in a line (no word boundary needed on either side, so a token in
`a%3Dlk_...` or glued to other text is found) and reports it only when its checksum holds, so
look-alikes (a mistyped token, a made-up example) are not reported. It cannot tell a live token
from a revoked or expired one, or one another store issued: `latchkey scan` can.

Use it with detect-secrets 1.x (tested with the version scripts/lib/prerequisites.sh pins):

    detect-secrets scan --plugin path/to/latchkey_detect_secrets.py > .secrets.baseline

Standard library only; it works offline (no verification request is ever made).
"""
import re
import zlib
from typing import Any
from typing import Generator

from detect_secrets.plugins.base import RegexBasedDetector

# The digits of base62, smallest first.
_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
_PREFIX = 'lk_'
_BODY_LEN = 43
_CHECKSUM_LEN = 6


def _base62(number: int, width: int) -> str:
    """`number` in base62, most significant digit first, left-padded with '0' to `width`."""
    digits = []
    while number:
        number, digit = divmod(number, 62)
        digits.append(_ALPHABET[digit])
    return ''.join(reversed(digits)).rjust(width, '0')


def checksum_holds(token: str) -> bool:
    """True when `token` has the shape of a Latchkey token and its CRC-32 checksum holds."""
    if len(token) != len(_PREFIX) + _BODY_LEN + _CHECKSUM_LEN or not token.startswith(_PREFIX):
        return False
    body = token[len(_PREFIX):len(_PREFIX) + _BODY_LEN]
    checksum = token[len(_PREFIX) + _BODY_LEN:]
    if not all(c in _ALPHABET for c in body + checksum):
        return False
    crc = zlib.crc32(body.encode('ascii')) & 0xFFFFFFFF
    return _base62(crc, _CHECKSUM_LEN) == checksum


class LatchkeyTokenDetector(RegexBasedDetector):
    """Scans for Latchkey API tokens (`lk_...`) whose checksum holds."""

    secret_type = 'Latchkey token'

    denylist = (
        re.compile(r'lk_[0-9A-Za-z]{49}'),
    )

    def analyze_string(self, string: str, **kwargs: Any) -> Generator[str, None, None]:
        # The regular expression finds the shape; only the checksum tells a token from text
        # that merely looks like one.
        for match in super().analyze_string(string):
            if checksum_holds(match):
                yield match
