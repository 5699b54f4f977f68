"""The most recently used values, kept per process within a bound: the one shape of the in-memory caches.

``limit`` bounds the sum of each value's weight (``weigh``; 1 each by default, so a count);
the least recently used go first, and a value heavier than the whole limit is not kept.
Safe to share between a process's threads.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

MISSING = object()


class Recent:
    def __init__(self, limit: int, weigh: Callable[[Any], int] = lambda _value: 1):
        self.limit, self.weigh, self.used = limit, weigh, 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            value = self._items.get(key, MISSING)
            if value is MISSING:
                return default
            self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        weight = self.weigh(value)
        if weight > self.limit:
            return
        with self._lock:
            old = self._items.pop(key, MISSING)
            if old is not MISSING:
                self.used -= self.weigh(old)
            self._items[key] = value
            self.used += weight
            while self.used > self.limit:
                _key, dropped = self._items.popitem(last=False)
                self.used -= self.weigh(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        return len(self._items)
