"""Bounds on the work one render may do: loop iterations, value sizes, output, wall-clock time.

Templates are written by people and run at every generation, so a template must not be able
to keep a worker busy for hours or fill its memory.  Sizes are checked *before* the work that
would allocate them (a string padded to 10^8 characters is refused, not built and measured),
loops count their iterations through one budget per render, and the clock is read as they go.
Anything over a bound raises LimitExceeded; the render turns it into a RenderError.

The guards that apply these bounds inside a render are in guards.py; estimate.py looks for
the same excesses in a template's tags at upload, where they can be seen without running it.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from string import Formatter
from typing import Any, Iterable, Iterator, Mapping


from tracker.documents.engine.problems import N_, Problem


@dataclass(frozen=True)
class Limits:
    iterations: int = 100_000  # loop iterations in one render, all loops together
    string: int = 1_000_000  # characters (or items) of one value a template builds
    output: int = 20_000_000  # characters written by one render, all parts together
    seconds: float = 5.0  # wall-clock time of one render
    int_digits: int = 1_000  # digits of a whole number a template computes


DEFAULT = Limits()


class LimitExceeded(Exception):
    """The render went over one of its bounds; `problem` says which, for the author."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Budget:
    """What one render has used so far."""

    def __init__(self, limits: Limits, clock=time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.deadline = clock() + limits.seconds
        self.iterations = 0
        self.output = 0

    def tick(self) -> None:
        if self.clock() > self.deadline:
            seconds = self.limits.seconds
            raise LimitExceeded(Problem(N_("filling the template took longer than the %(seconds)s seconds allowed"),
                                        seconds=int(seconds) if seconds == int(seconds) else seconds))

    def iterate(self) -> None:
        """One step of work: a loop's turn or a call (a recursive macro does not loop, it calls)."""
        self.iterations += 1
        if self.iterations > self.limits.iterations:
            raise LimitExceeded(Problem(N_("the template takes more than the %(limit)s steps allowed (turns of "
                                           "its loops and calls)"), limit=self.limits.iterations))
        if self.iterations % 512 == 0:
            self.tick()

    def wrote(self, characters: int) -> None:
        self.output += characters
        if self.output > self.limits.output:
            raise LimitExceeded(Problem(N_("the filled document would exceed %(limit)s characters"),
                                        limit=self.limits.output))


_CURRENT: ContextVar[Budget | None] = ContextVar("render_budget", default=None)


@contextmanager
def budget(limits: Limits = DEFAULT) -> Iterator[Budget]:
    """Give the renders in this block one budget (PreparedTemplate.render opens one per document)."""
    opened = Budget(limits)
    token = _CURRENT.set(opened)
    try:
        yield opened
    finally:
        _CURRENT.reset(token)


def current() -> Budget | None:
    """The budget of the render running in this thread or task, if any."""
    return _CURRENT.get()


def in_force() -> Limits:
    budget_now = _CURRENT.get()
    return budget_now.limits if budget_now else DEFAULT


def tick() -> None:
    budget_now = _CURRENT.get()
    if budget_now is not None:
        budget_now.tick()


def too_big(size: int) -> LimitExceeded:
    return LimitExceeded(value_too_big(size, in_force().string))


def value_too_big(size: int, limit: int) -> Problem:
    return Problem(N_("the template builds a value of about %(size)s characters, more than the %(limit)s allowed"),
                   size=size, limit=limit)


# -- sizes ---------------------------------------------------------------------------------
def rendered_size(value: Any, stop: int | None = None) -> int:
    """About how many characters str(value) would take, computed without building it.

    A list holding the same long string a thousand times is small in memory and huge once
    printed; walking it (and stopping as soon as `stop` is passed) tells before printing.
    """
    stop = in_force().string if stop is None else stop
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            pending.extend(item)
        else:
            total += 24  # numbers, dates, undefined values: short
        if total > stop:
            return total
    return total


def check_value(value: Any) -> Any:
    """Refuse a value whose printed form would be over the size bound; return it unchanged."""
    size = rendered_size(value)
    if size > in_force().string:
        raise too_big(size)
    return value


def check_size(size: int) -> None:
    if size > in_force().string:
        raise too_big(size)


_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def printf_widths(pattern: str, args: Iterable[Any] = ()) -> int:
    """The padding a printf-style pattern asks for: '%100000000s' asks for 10^8 characters."""
    numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    total = 0
    for width, precision in _PRINTF.findall(pattern):
        for part in (width, precision):
            if part == "*":
                total += max(numbers, default=0)
            elif part:
                total += int(part[:12])
    return total


def format_widths(pattern: str, args: Iterable[Any] = (), kwargs: Mapping[str, Any] | None = None) -> int:
    """The padding a str.format pattern asks for: '{:>100000000}', or '{:{}}' with 10^8 given as an argument.

    A width or precision written as a nested field ('{:{}}', '{:{w}}', '{:.{1}f}') takes its value
    from the arguments; each nested field is counted as the largest whole number among them.
    """
    given = [*args, *(kwargs or {}).values()]
    given += [value for arg in given if isinstance(arg, Mapping) for value in arg.values()]  # format_map
    largest = max((abs(a) for a in given if isinstance(a, int) and not isinstance(a, bool)), default=0)
    return _format_widths(pattern, largest)


def _format_widths(pattern: str, largest: int) -> int:
    total = 0
    try:
        for _text, _name, spec, _conversion in Formatter().parse(pattern):
            if spec:
                total += sum(int(n[:12]) for n in re.findall(r"\d+", re.sub(r"\{[^{}]*\}", "", spec)))
                total += spec.count("{") * largest
    except ValueError:
        return 0  # a malformed pattern fails when formatted, without building anything
    return total


def json_size(value: Any, indent: int) -> int:
    """About how many characters json.dumps(value, indent=indent) writes: each item on a line of its own,
    indented once per level of nesting.  Stops counting past the size bound."""
    stop = in_force().string
    total = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        total += 4 + indent * depth  # the line the item starts, its quotes or brackets and separator
        if isinstance(item, Mapping):
            pending.extend((child, depth + 1) for child in item)  # the keys
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend((child, depth + 1) for child in item)
        else:
            total += rendered_size(item, stop)
        if total > stop:
            return total
    return total


def wrapped_size(text: str, width: Any, wrapstring: str) -> int:
    """At most how many characters wrapping `text` at `width` writes, with `wrapstring` between lines."""
    spaces = sum(1 for character in text if character.isspace())
    lines = min(len(text), len(text) // max(width, 1) + spaces) + 1 if isinstance(width, int) else len(text) + 1
    return len(text) + lines * len(wrapstring)


def replaced_size(text: str, old: str, new: str) -> int:
    if old == "":
        return len(text) + (len(text) + 1) * len(new)
    if len(new) <= len(old):
        return len(text)
    return len(text) + text.count(old) * (len(new) - len(old))
