"""At upload, fill a template once with sample values in a separate process with a time and memory budget.

The sandbox's guards bound each operation before it runs (guards.py); this trial is the net
below them.  Whatever a template could still do that the guards do not foresee - a library
call that allocates without asking, a loop of work the clock does not see - happens in a
child process whose address space is capped and which is killed when its time is up, so the
worker that took the upload never pays for it.  The filled document must also open as a
Word document, or every agreement generated from the template would be broken.

The child is a fresh interpreter (`python -m tracker.documents.engine.trial`), not a fork of a
worker with threads and open connections; it reads the template and the sample values on its
standard input and writes what it found, as JSON, on its standard output.
"""
from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from typing import Any, Mapping

from tracker.documents.engine.limits import DEFAULT, Limits
from tracker.documents.engine.problems import N_, Problem, shown

SECONDS = DEFAULT.seconds + 10  # starting the interpreter, then a render that stops itself at DEFAULT.seconds
MEMORY = 512 * 1024 * 1024  # bytes of address space the child may add to what it has once started
MiB = 1024 * 1024


def trial_render(data: bytes, context: Mapping[str, Any], *, seconds: float = SECONDS,
                 memory: int = MEMORY) -> list[Problem]:
    """Fill `data` with `context` in a bounded child process; the problems found (none: it is usable)."""
    request = json.dumps({"context": context, "memory": memory}).encode() + b"\n" + data
    try:
        done = subprocess.run([sys.executable, "-m", "tracker.documents.engine.trial"], input=request,
                              capture_output=True, check=False, timeout=seconds, cwd=_root())
    except subprocess.TimeoutExpired:  # run() has killed it
        return [Problem(N_("filling the template with sample values took longer than %(seconds)s seconds"),
                        seconds=round(seconds))]
    try:
        return [_problem(item) for item in json.loads(done.stdout)]
    except ValueError:  # no answer: killed for lack of memory, most likely
        return [Problem(N_("filling the template with sample values needed more than the %(limit)s MiB of memory "
                           "allowed"), limit=memory // MiB)]


def _root() -> str:
    """The directory holding the ``tracker`` package, where ``python -m`` finds it (four levels up)."""
    here = os.path.abspath(__file__)  # <root>/tracker/documents/engine/trial.py
    for _level in range(4):
        here = os.path.dirname(here)
    return here


def _problem(item: Any) -> Any:
    if isinstance(item, dict):
        return Problem(item["message"], **{name: _problem(value) for name, value in item["values"].items()})
    return item


def _plain(item: Any) -> Any:
    if isinstance(item, Problem):
        return {"message": item.message, "values": {name: _plain(value) for name, value in item.values.items()}}
    return item if isinstance(item, (int, float)) else str(item)


def main() -> None:  # pragma: no cover (runs in the child)
    request, _, data = sys.stdin.buffer.read().partition(b"\n")
    settings = json.loads(request)
    _cap_memory(settings["memory"])
    try:
        problems = _problems(data, settings["context"], DEFAULT)
    except MemoryError:
        sys.exit(3)  # no answer: the parent says "out of memory"
    sys.stdout.write(json.dumps([_plain(problem) for problem in problems]))


def _problems(data: bytes, context: dict, limits: Limits) -> list[Problem]:
    import docx

    from tracker.documents.engine.render import RenderTooCostly, TemplateError, prepare

    try:
        filled = prepare(data).render(context, limits)
    except RenderTooCostly as exc:
        return exc.problems
    except TemplateError:
        return []  # depends on the data (a missing value, say): generation reports it for the contract
    try:
        document = docx.Document(io.BytesIO(filled))
        sum(len(paragraph.text) for paragraph in document.paragraphs)  # what generation reads next
    except MemoryError:
        raise
    except Exception as exc:  # python-docx fails in many ways on a broken package
        return [Problem(N_("the filled template cannot be opened as a Word document (%(detail)s)"),
                        detail=shown(str(exc), 200))]
    return []


def _cap_memory(extra: int) -> None:
    with open("/proc/self/status", encoding="ascii") as status:
        size = next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:")), 0)
    if size:
        resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))


if __name__ == "__main__":
    main()
