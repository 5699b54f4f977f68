"""At upload, estimate from a template's tags the work it asks for, and name what is too much.

Nothing is run: loops over constant ranges multiply up, and each value a tag prints or sets is
sized from what the tag says (a constant, a padding width, a replacement that grows the text,
a repetition).  A value the estimate cannot see - a field, say - is taken as FIELD_SIZE
characters, and a loop over one as ROWS turns, generously above what contracts hold.  What
goes over the bounds of limits.py is refused at upload with the tag that asks for it; what
only the data can reveal is stopped by the guards at render time.
"""
from __future__ import annotations

from jinja2 import nodes

from tracker.documents.engine.limits import DEFAULT, Limits, format_widths, printf_widths, value_too_big
from tracker.documents.engine.problems import N_, Problem

FIELD_SIZE = 1_000  # characters of a value the estimate cannot see (the longest field holds 500)
ROWS = 200  # turns of a loop over something not constant (a contract has at most 200 budget rows)
HUGE = 10**18  # estimates stop growing here
SAME_SIZE = frozenset({"upper", "lower", "title", "capitalize", "trim", "e", "escape", "forceescape", "string",
                       "striptags", "list", "sort", "reverse", "unique", "first", "last", "wordwrap"})
PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})


def excessive_work(ast: nodes.Template, limits: Limits = DEFAULT) -> list[tuple[int, Problem]]:
    """(line, problem) for each loop nest and each value in the template that goes over `limits`."""
    estimate = _Estimate(limits)
    estimate.loops(ast.body, 1)
    for node in ast.find_all((nodes.Output, nodes.Assign, nodes.With, nodes.Call, nodes.Filter, nodes.Pow)):
        estimate.statement(node)
    return estimate.found


def _cap(value: int) -> int:
    return min(max(value, 0), HUGE)


def _const_int(node) -> int | None:
    """The value of a constant whole-number expression such as 10 ** 6, else None."""
    if isinstance(node, nodes.Const) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return _cap(int(node.value)) if abs(node.value) < HUGE else HUGE
    if isinstance(node, nodes.Neg):
        value = _const_int(node.node)
        return None if value is None else -value
    if isinstance(node, (nodes.Add, nodes.Sub, nodes.Mul, nodes.Pow, nodes.FloorDiv)):
        left, right = _const_int(node.left), _const_int(node.right)
        if left is None or right is None:
            return None
        if isinstance(node, nodes.Pow):
            return HUGE if right > 64 or (abs(left) > 1 and right * abs(left).bit_length() > 64) else left ** right
        if isinstance(node, nodes.FloorDiv):
            return left // right if right else None
        return _cap({nodes.Add: left + right, nodes.Sub: left - right, nodes.Mul: left * right}[type(node)])
    return None


def _const_str(node) -> str | None:
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


class _Estimate:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.found: list[tuple[int, Problem]] = []
        self.sizes: dict[str, int] = {}  # names set by the template -> estimated size
        self.reported: set[int] = set()

    # -- loops ------------------------------------------------------------------------------
    def loops(self, body, runs: int) -> None:
        for node in body:
            for loop in self._outer_loops(node):
                total = _cap(runs * self.turns(loop.iter))
                if total > self.limits.iterations:
                    self.found.append((loop.lineno, Problem(
                        N_("these loops would run about %(count)s times, more than the %(limit)s allowed"),
                        count=total, limit=self.limits.iterations)))
                    continue
                self.loops(loop.body, total)

    def _outer_loops(self, node):
        if isinstance(node, nodes.For):
            yield node
            return
        for child in node.iter_child_nodes():
            yield from self._outer_loops(child)

    def turns(self, node) -> int:
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "range":
            bounds = [_const_int(arg) for arg in node.args]
            if node.args and all(b is not None for b in bounds) and len(bounds) <= 3:
                try:
                    return _cap(len(range(*bounds))) if max(map(abs, bounds)) < HUGE else HUGE
                except (ValueError, OverflowError):
                    return HUGE
            return ROWS
        if isinstance(node, nodes.Filter) and node.node is not None:
            return self.turns(node.node)
        if isinstance(node, (nodes.List, nodes.Tuple)):
            return len(node.items)
        if isinstance(node, nodes.Const) and isinstance(node.value, (str, list, tuple)):
            return len(node.value)
        if isinstance(node, nodes.Mul):
            for seq, count in ((node.left, node.right), (node.right, node.left)):
                times = _const_int(count)
                if times is not None:
                    return _cap(self.turns(seq) * times)
        return ROWS

    # -- values -----------------------------------------------------------------------------
    def statement(self, node) -> None:
        roots = {nodes.Output: lambda n: n.nodes, nodes.Assign: lambda n: [n.node],
                 nodes.With: lambda n: n.values}.get(type(node), lambda n: [n])(node)
        for root in roots:
            if isinstance(root, nodes.TemplateData):
                continue
            size = self.size(root)
            if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
                self.sizes[node.target.name] = size
            if id(root) in self.reported:
                continue
            if size > self.limits.string:
                self.reported.update([id(root), *(id(n) for n in root.find_all(nodes.Expr))])
                self.found.append((root.lineno, value_too_big(size, self.limits.string)))
            elif isinstance(root, nodes.Pow) and (_const_int(root.right) or 0) > 100:
                self.reported.add(id(root))
                self.found.append((root.lineno, Problem(N_("the template raises a number to a power above 100"))))

    def size(self, node) -> int:  # noqa: C901 - one case per kind of expression
        if isinstance(node, nodes.Const):
            return len(str(node.value)) if not isinstance(node.value, (int, float)) or abs(node.value) < HUGE else 20
        if isinstance(node, nodes.Name):
            return self.sizes.get(node.name, FIELD_SIZE)
        if isinstance(node, (nodes.Concat, nodes.List, nodes.Tuple)):
            items = node.nodes if isinstance(node, nodes.Concat) else node.items
            return _cap(sum(self.size(item) + 2 for item in items))
        if isinstance(node, nodes.Add):
            return _cap(self.size(node.left) + self.size(node.right))
        if isinstance(node, nodes.Mul):
            for seq, count in ((node.left, node.right), (node.right, node.left)):
                times = _const_int(count)
                if times is not None and _const_int(seq) is None:  # 'x' * n or [...] * n, not 3 * 4
                    return _cap(self.size(seq) * times)
            return FIELD_SIZE
        if isinstance(node, nodes.Mod):
            pattern = _const_str(node.left)
            if pattern is not None:
                return _cap(len(pattern) + printf_widths(pattern, self._ints(node.right)) + self.size(node.right))
            return _cap(self.size(node.left) + self.size(node.right))
        if isinstance(node, nodes.CondExpr):
            return max(self.size(node.expr1), self.size(node.expr2) if node.expr2 is not None else 0)
        if isinstance(node, nodes.Filter):
            return self._filter(node)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            return self._method(node.node.attr, node.node.node, node.args)
        return FIELD_SIZE

    def _ints(self, node) -> list[int]:
        items = node.items if isinstance(node, (nodes.Tuple, nodes.List)) else [node]
        return [value for value in map(_const_int, items) if value is not None]

    def _filter(self, node: nodes.Filter) -> int:
        base = self.size(node.node) if node.node is not None else FIELD_SIZE
        args = node.args
        first = _const_int(args[0]) if args else None
        if node.name == "center":
            return max(base, first if first is not None else 80)
        if node.name == "indent":
            width = first if first is not None else (len(_const_str(args[0]) or "") if args else 4)
            return _cap(base * (width + 1))
        if node.name == "format":
            pattern = _const_str(node.node)
            widths = printf_widths(pattern, self._ints_of(args)) if pattern is not None else 0
            return _cap(base + widths + sum(self.size(a) for a in args))
        if node.name == "replace" and len(args) >= 2:
            return self._replaced(base, _const_str(args[0]), args[1])
        if node.name == "truncate":
            return min(base, first) if first is not None else base
        if node.name in ("join", "default", "d"):
            return _cap(base + sum(self.size(a) for a in args))
        return base if node.name in SAME_SIZE else max(base, FIELD_SIZE)

    def _ints_of(self, args) -> list[int]:
        return [value for value in map(_const_int, args) if value is not None]

    def _replaced(self, base: int, old: str | None, new_node) -> int:
        new = self.size(new_node)
        if old == "":
            return _cap(base + (base + 1) * new)
        if old is None:
            return _cap(base * max(new, 1))
        return _cap(base * max(1, -(-new // len(old))))

    def _method(self, name: str, owner, args) -> int:
        base = self.size(owner)
        first = _const_int(args[0]) if args else None
        if name in PADDING_METHODS:
            return max(base, first or 0)
        if name == "expandtabs":
            return _cap(base * (first if first is not None else 8))
        if name == "replace" and len(args) >= 2:
            return self._replaced(base, _const_str(args[0]), args[1])
        if name in ("format", "format_map"):
            pattern = _const_str(owner)
            return _cap(base + (format_widths(pattern) if pattern else 0) + sum(self.size(a) for a in args))
        if name == "join" and args:
            return _cap(self.size(args[0]) + base * ROWS)
        return max(base, FIELD_SIZE) if name not in ("upper", "lower", "strip", "title", "capitalize") else base
