"""Which context fields a template reads, and which constructs the sandbox must never see.

Fields are reported relative to the context an agreement is rendered with, so an upload check
can compare them with the fields the application provides.  A loop variable stands for an
element of what it loops over: in `{% for row in budget %}{{ row.amount }}` the template reads
`budget` and `budget[].amount` (written `row.amount`).  Variables the template sets itself
(`{% set %}`, macro arguments, `loop`) are not fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import nodes

from tracker.documents.engine.problems import N_, Problem

# Filters whose result holds the same elements as their input, so a loop over them still
# iterates the field's rows: `{% for row in budget|sort(attribute='amount') %}`.
SAME_ELEMENTS = frozenset({"sort", "reverse", "unique", "list", "selectattr", "rejectattr", "select", "reject"})
# Loading other templates has no meaning in a .docx and would reach outside the sandbox's loader.
FORBIDDEN = {
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Extends: "{% extends %}",
}
LOCAL = ("", "")  # scope value for a name the template defines itself


@dataclass
class FieldReport:
    """Fields read (resolved name -> name as written) and unsafe constructs as (line, message)."""

    fields: dict[str, str] = field(default_factory=dict)
    unsafe: list[tuple[int, Problem]] = field(default_factory=list)


def read_fields(ast: nodes.Template, builtins) -> FieldReport:
    """Walk a parsed template; builtins are the environment's globals (range, dict, ...)."""
    walker = _Walker(frozenset(builtins))
    walker.visit(ast)
    return walker.report


class _Walker:
    def __init__(self, builtins: frozenset[str]) -> None:
        self.builtins = builtins
        self.scopes: list[dict[str, tuple[str, str]]] = [{}]
        self.report = FieldReport()

    # -- name resolution -------------------------------------------------------------------
    def path(self, node) -> tuple[str, str] | None:
        """(resolved, written) dotted path of a context field, or None for anything else."""
        if isinstance(node, nodes.Name):
            for scope in reversed(self.scopes):
                if node.name in scope:
                    bound = scope[node.name]
                    return None if bound is LOCAL else (bound[0], node.name)
            return None if node.name in self.builtins else (node.name, node.name)
        if isinstance(node, nodes.Getattr):
            base = self.path(node.node)
            return base and (f"{base[0]}.{node.attr}", f"{base[1]}.{node.attr}")
        if isinstance(node, nodes.Getitem):
            base = self.path(node.node)
            if base is None:
                return None
            key = node.arg.value if isinstance(node.arg, nodes.Const) else None
            suffix = f".{key}" if isinstance(key, str) else "[]"
            return base[0] + suffix, base[1] + suffix
        return None

    def element_path(self, iterable) -> tuple[str, str] | None:
        """What one element of a loop's iterable is, when it is a field's rows."""
        while isinstance(iterable, nodes.Filter) and iterable.name in SAME_ELEMENTS:
            iterable = iterable.node
        base = self.path(iterable)
        return base and (base[0] + "[]", base[1])

    def bind(self, target, value: tuple[str, str] | None) -> None:
        if isinstance(target, nodes.Name):
            self.scopes[-1][target.name] = value or LOCAL
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, None)

    def unsafe(self, node, message: str, **values) -> None:
        self.report.unsafe.append((node.lineno, Problem(message, **values)))

    # -- walking ---------------------------------------------------------------------------
    def visit(self, node) -> None:
        for kind, label in FORBIDDEN.items():
            if isinstance(node, kind):
                self.unsafe(node, N_("%(construct)s is not allowed in a contract template"), construct=label)
                return
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method:
            method(node)
        else:
            self.generic(node)

    def generic(self, node) -> None:
        for child in node.iter_child_nodes():
            self.visit(child)

    def record_or_walk(self, node) -> None:
        found = self.path(node)
        if found:
            self.report.fields.setdefault(*found)
        else:
            self.generic(node)

    def visit_Name(self, node: nodes.Name) -> None:
        if node.ctx == "load":
            self.record_or_walk(node)

    def visit_Getattr(self, node: nodes.Getattr) -> None:
        if node.attr.startswith("_"):
            # `''.__class__.__mro__` and friends: the classic sandbox-escape probes
            self.unsafe(node, N_("the private attribute '%(name)s' is not allowed"), name=node.attr)
            return
        self.record_or_walk(node)

    def visit_Getitem(self, node: nodes.Getitem) -> None:
        if isinstance(node.arg, nodes.Const) and str(node.arg.value).startswith("_"):
            self.unsafe(node, N_("the private item '%(name)s' is not allowed"), name=str(node.arg.value))
            return
        self.record_or_walk(node)
        if self.path(node) is not None:
            self.visit(node.arg)  # budget[i]: i may read fields too

    def visit_Filter(self, node: nodes.Filter) -> None:
        if node.name == "attr" and any(
            isinstance(arg, nodes.Const) and str(arg.value).startswith("_") for arg in node.args
        ):
            self.unsafe(node, N_("the attr filter may not reach private attributes"))
            return
        self.generic(node)

    def visit_Call(self, node: nodes.Call) -> None:
        # sponsor.name.upper(): the field is sponsor.name, not a field called 'upper'
        callee = node.node
        if isinstance(callee, nodes.Getattr):
            if callee.attr.startswith("_"):
                self.unsafe(callee, N_("the private attribute '%(name)s' is not allowed"), name=callee.attr)
                return
            self.visit(callee.node)
        else:
            self.visit(callee)
        for child in (*node.args, *node.kwargs, node.dyn_args, node.dyn_kwargs):
            if child is not None:
                self.visit(child)

    def visit_For(self, node: nodes.For) -> None:
        self.visit(node.iter)
        self.scopes.append({"loop": LOCAL})
        self.bind(node.target, self.element_path(node.iter) if isinstance(node.target, nodes.Name) else None)
        for child in (*node.body, node.test):
            if child is not None:
                self.visit(child)
        self.scopes.pop()
        for child in node.else_:
            self.visit(child)

    def visit_Assign(self, node: nodes.Assign) -> None:
        self.visit(node.node)
        self.bind(node.target, self.path(node.node))

    def visit_AssignBlock(self, node: nodes.AssignBlock) -> None:
        for child in node.body:
            self.visit(child)
        self.bind(node.target, None)

    def visit_With(self, node: nodes.With) -> None:
        for value in node.values:
            self.visit(value)
        self.scopes.append({})
        for target, value in zip(node.targets, node.values):
            self.bind(target, self.path(value))
        for child in node.body:
            self.visit(child)
        self.scopes.pop()

    def visit_Macro(self, node: nodes.Macro) -> None:
        self.scopes[-1][node.name] = LOCAL
        self._callable_body(node.args, node.defaults, node.body)

    def visit_CallBlock(self, node: nodes.CallBlock) -> None:
        self.visit(node.call)
        self._callable_body(node.args, node.defaults, node.body)

    def _callable_body(self, args, defaults, body) -> None:
        for default in defaults:
            self.visit(default)
        self.scopes.append({name: LOCAL for name in ("caller", "varargs", "kwargs")})
        for arg in args:
            self.bind(arg, None)
        for child in body:
            self.visit(child)
        self.scopes.pop()
