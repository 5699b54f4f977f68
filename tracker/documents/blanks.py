"""Which fields a template cannot do without, and which of them are empty for a contract (SPEC 5).

A field the template prints is required. A field that is only tested (`{% if
contract.eu_ct_number %}`), or printed only inside a block guarded by a test of that same
field, or given a `|default(...)`, is optional: the author planned for its absence. Before an
agreement is filled, the required fields that are empty for this contract and site are listed
by label; only an explicitly confirmed draft may be generated with blanks.
"""
from __future__ import annotations

from dataclasses import dataclass

from jinja2 import TemplateSyntaxError, nodes
from lxml import etree

from flask_babel import lazy_gettext as _l

from tracker.documents.catalogue import FIELDS, label, value_at
from tracker.documents.engine.fields import _Walker
from tracker.documents.engine.package import read_package
from tracker.documents.engine.render import ENVIRONMENT, TEMPLATED_PART
from tracker.documents.engine.wordxml import clean_part
from tracker.errors import InvalidInput
from tracker.recent import MISSING, Recent

_REQUIRED_MAX = 64
_REQUIRED = Recent(_REQUIRED_MAX)  # required fields by template SHA-256, the most recently used
OPTIONAL_FILTERS = frozenset({"default", "d"})


@dataclass(frozen=True)
class Blank:
    field: str
    label: str
    source: str  # sponsor, site or contract: the page where it is entered

    @property
    def message(self) -> str:
        text = str(_l("%(label)s is missing.", label=self.label))
        return text[:1].upper() + text[1:]


class BlankFields(InvalidInput):
    """Generation refused: the template would print these fields empty (422, each field named)."""

    code = "empty_fields"

    def __init__(self, blanks: list[Blank]):
        super().__init__({b.field: b.message for b in blanks})
        self.blanks = blanks
        self.message = str(_l("Fields the template uses are empty: %(labels)s. Fill them in, or generate a "
                              "draft.", labels=", ".join(b.label for b in blanks)))


class _RequiredWalker(_Walker):
    """The field walker of the documents engine, also noting which fields are printed unguarded."""

    def __init__(self, builtins) -> None:
        super().__init__(builtins)
        self.required: set[str] = set()
        self.guards: list[set[str]] = []
        self.testing = 0

    def _guarded(self, field: str) -> bool:
        return any(field == g or field.startswith(g + ".") or field.startswith(g + "[]")
                   for guard in self.guards for g in guard)

    def record_or_walk(self, node) -> None:
        found = self.path(node)
        if found and not self.testing and not self._guarded(found[0]):
            self.required.add(found[0])
        super().record_or_walk(node)

    def _tested(self, test) -> set[str]:
        """Visit a test expression: what it reads becomes a guard, not a requirement."""
        self.testing += 1
        self.visit(test)
        self.testing -= 1
        return self._paths(test)

    def _paths(self, node) -> set[str]:
        """The whole fields an expression reads (sponsor.vat_number, not also sponsor)."""
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            return self._paths(node.node.node) | {p for arg in node.args for p in self._paths(arg)}
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            found = self.path(node)
            if found:
                return {found[0]}
        return {p for child in node.iter_child_nodes() for p in self._paths(child)}

    def visit_If(self, node: nodes.If) -> None:
        guard = self._tested(node.test)
        self.guards.append(guard)
        for child in node.body:
            self.visit(child)
        for branch in node.elif_:
            self.guards[-1] = self.guards[-1] | self._tested(branch.test)
            for child in branch.body:
                self.visit(child)
        for child in node.else_:
            self.visit(child)
        self.guards.pop()

    def visit_CondExpr(self, node: nodes.CondExpr) -> None:
        self.visit_If(nodes.If(node.test, [node.expr1], [], [node.expr2] if node.expr2 else []))

    def visit_Filter(self, node: nodes.Filter) -> None:
        if node.name in OPTIONAL_FILTERS:
            self.testing += 1
            super().visit_Filter(node)
            self.testing -= 1
        else:
            super().visit_Filter(node)


def _parse_required(content: bytes) -> frozenset[str]:
    required: set[str] = set()
    for member in read_package(content, TEMPLATED_PART.fullmatch):
        if not isinstance(member, tuple):
            continue
        info, xml = member
        try:
            part = clean_part(info.filename, xml)
        except etree.XMLSyntaxError:
            continue  # the upload check refused such templates; nothing to require here
        if part.source is None:
            continue
        skeleton = "\n".join(tag.source.replace("\n", " ").replace("\r", " ") for tag in part.tags)
        try:
            ast = ENVIRONMENT.parse(skeleton)
        except TemplateSyntaxError:
            continue
        walker = _RequiredWalker(frozenset(ENVIRONMENT.globals))
        walker.visit(ast)
        required |= walker.required
    return frozenset(required)


def required_fields(template) -> frozenset[str]:
    """The fields a stored template version prints unguarded, computed once per version."""
    found = _REQUIRED.get(template.sha256, MISSING)
    if found is MISSING:
        found = _parse_required(template.content)
        _REQUIRED.put(template.sha256, found)
    return found


def _empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    return False


def find_blanks(template, context: dict) -> list[Blank]:
    """The required fields of the template that are empty in this context, in catalogue order."""
    required = required_fields(template)
    order = {name: index for index, name in enumerate(FIELDS)}
    blanks = []
    for field in sorted(required, key=lambda f: (order.get(f, len(order)), f)):
        value = value_at(context, field)
        empty = any(_empty(v) for v in value) if "[]." in field else _empty(value)
        info = FIELDS.get(field)
        if empty and not (info and info.source == "auto"):
            # a value the app computes (a total, a date in words) is empty only when what it is computed
            # from is: that field is the one to name
            blanks.append(Blank(field, label(field), info.source if info else "contract"))
    return blanks
