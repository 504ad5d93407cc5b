"""A bounded LRU memo that computes each missing key once, with one lock per key.

Fifty concurrent requests for one cold key compute it once; ``functools.lru_cache`` cannot do
that (it computes in every thread that misses).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class Memo:
    """A bounded LRU mapping that computes each missing key once (one lock per key)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict = {}

    def peek(self, key) -> Any | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def get(self, key, compute: Callable[[], Any]) -> Any:
        hit = self.peek(key)
        if hit is not None:
            return hit
        with self._lock:
            klock = self._key_locks.setdefault(key, threading.Lock())
        with klock:
            hit = self.peek(key)
            if hit is not None:
                return hit
            value = compute()
            with self._lock:
                self._data[key] = value
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
                self._key_locks.pop(key, None)
            return value
