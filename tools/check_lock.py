"""Check that a requirements lock holds only ``name==version`` pins (hashes allowed).

A lock line that names a local file, a ``file:`` URL or any other URL installs only on the
machine that wrote it (see issue 8: ``uvloop @ file:///tmp/x/...whl`` broke every fresh
install). ``make install`` runs this first; ``tests/test_lock.py`` runs it on the real lock.

Usage: ``python tools/check_lock.py [requirements.lock]`` (exit 1 with one line per problem).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")
EXPECTED = "name==version (optionally followed by --hash=sha256:...)"


def lock_problems(text: str, name: str = "requirements.lock") -> list[str]:
    """One message per line that is not a ``name==version`` pin, a hash, a comment or blank."""
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        parts = line.rstrip("\\").split()
        head, hashes = parts[0], parts[1:]
        if line.startswith("--hash="):
            head, hashes = None, parts
        bad_head = head is not None and not PIN.match(head)
        bad_hash = [h for h in hashes if not HASH.match(h)]
        if bad_head or bad_hash:
            got = raw.strip()
            why = ""
            if re.search(r"(?i)\bfile:|://| @ |^[./~]|/", got):
                why = " (a path or URL installs only on the machine that wrote the lock)"
            problems.append(f"{name} line {number}: expected {EXPECTED}, got {got[:120]!r}{why}")
    return problems


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "requirements.lock")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{path}: cannot read the lock ({exc})", file=sys.stderr)  # noqa: T201
        return 1
    problems = lock_problems(text, str(path))
    for p in problems:
        print(p, file=sys.stderr)  # noqa: T201
    if problems:
        print("regenerate the lock with: make lock", file=sys.stderr)  # noqa: T201
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
