"""Fill .docx contract templates written in docxtpl's Jinja syntax (SPEC 5), fast and in a sandbox.

`prepare` does the expensive work once per template version: unzip, regroup the tags Word
split across runs, check the Jinja syntax tag by tag and compile one template per XML part that
holds tags.  `PreparedTemplate.render` then only runs those templates and writes the zip,
copying every other member as the compressed bytes it already was.

Values are XML-escaped by the environment's finalize hook, not by autoescape alone, so that
`{% autoescape false %}` cannot let `&` or `<` from a sponsor's name break the file (`|safe`
is removed from the filters for the same reason); line breaks and tabs in values become Word
breaks and tabs.

Every render runs within the bounds of limits.py (steps, value sizes, output, time): the guards
of guards.py are compiled into each template, and nothing is evaluated at compile time, so an
upload cannot make the server fold `'%100000000s'|format('a')` into a 100 MB constant.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Mapping

from jinja2 import ChainableUndefined, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from tracker.documents.engine import guards
from tracker.documents.engine.estimate import excessive_work
from tracker.documents.engine.fields import read_fields
from tracker.documents.engine.limits import DEFAULT, LimitExceeded, Limits, budget, check_value, current
from tracker.documents.engine.package import Entry, deflate, read_package, write_package
from tracker.documents.engine.problems import N_, Problem, shown
from tracker.documents.engine.wordxml import CleanedPart, ForbiddenXML, clean_part, nesting_problems, part_label

# The parts Word shows as text; docProps, styles, numbering and media are copied untouched.
TEMPLATED_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
MAX_RANGE = 10_000

_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'
# Characters XML 1.0 forbids: one of them in a value and Word refuses the whole file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEWLINE = re.compile(r"\r\n?|\n")


class TemplateError(Exception):
    """A template cannot be used; `problems` lists each reason in words an author understands."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class TemplateInvalid(TemplateError):
    """prepare() refused the template: not a .docx, damaged XML, syntax or unsafe constructs."""


class RenderError(TemplateError):
    """render() failed for this context (the sandbox refused an operation, a value broke a filter...)."""


class RenderTooCostly(RenderError):
    """render() went over a bound of limits.py: too many steps, too large a value, too long."""


class _Blank(ChainableUndefined):
    """Missing optional fields (no EU CT number yet) render as nothing, never as 'None'."""

    __slots__ = ()


def _xml_text(value: Any) -> Markup:
    """Finalize hook: every printed value becomes escaped, XML-legal WordprocessingML text."""
    if value is None or isinstance(value, Undefined):
        return Markup("")
    check_value(value)
    text = str(value) if isinstance(value, Markup) else str(escape(str(value)))
    spent = current()
    if spent is not None:
        spent.wrote(len(text))  # counted where it is made, even inside a macro (see guards.charge)
    text = _NOT_XML.sub("", text)
    if "\n" in text or "\r" in text:
        text = _NEWLINE.sub(_BREAK, text)
    if "\t" in text:
        text = text.replace("\t", _TAB)
    return Markup(text)


def _short_range(*args: int) -> range:
    """range() with a ceiling far below the sandbox's own: budgets have tens of rows."""
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise LimitExceeded(Problem(N_("range() is limited to %(limit)s items in contract templates"),
                                    limit=MAX_RANGE))
    return result




class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (with no way to modify lists or dicts), bounded by the guards of guards.py."""

    code_generator_class = guards.GuardedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        guards.check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (as Jinja names it)
        if __obj not in guards.INTERNAL:
            args = guards.check_call(__obj, args, kwargs)
        return check_value(super().call(__context, __obj, *args, **kwargs))

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        # Jinja would hand back an Undefined that only fails when printed; ours prints as
        # nothing, which would hide a probe.  Refuse at the access instead.
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} is refused")


def _environment() -> ImmutableSandboxedEnvironment:
    env = _Sandbox(
        autoescape=True,
        undefined=_Blank,
        finalize=_xml_text,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=0,
        optimized=False,  # no constant folding at compile time: an upload computes nothing
    )
    # |safe would print raw values into the XML; |urlize and |xmlattr write HTML markup.
    for name in ("safe", "urlize", "xmlattr"):
        env.filters.pop(name, None)
    env.filters = {name: guards.guard_filter(name, func) for name, func in env.filters.items()}
    env.globals["range"] = _short_range
    env.globals["lipsum"] = guards.lipsum
    return env


ENVIRONMENT = _environment()  # configuration only; Jinja environments are safe to share across threads


@dataclass(frozen=True, slots=True)
class _Part:
    name: str
    date_time: tuple[int, ...]
    template: Any  # jinja2.Template


@dataclass(frozen=True, eq=False)
class PreparedTemplate:
    """A template ready to render many times; keep one per stored template version."""

    fields: frozenset[str]
    spellings: Mapping[str, str] = field(repr=False)  # resolved field -> as written (row.amount)
    _items: tuple[Entry | _Part, ...] = field(repr=False)
    # Loops and values that would go over the bounds whatever the contract: refused at upload.
    excessive: tuple[Problem, ...] = field(default=(), repr=False)

    @property
    def templated_parts(self) -> tuple[str, ...]:
        """Names of the XML parts that hold tags (the others are copied byte for byte)."""
        return tuple(item.name for item in self._items if isinstance(item, _Part))

    def render(self, context: Mapping[str, Any], limits: Limits = DEFAULT) -> bytes:
        """Fill the template with context (plain dicts, lists, strings, numbers) -> .docx bytes.

        Raises RenderTooCostly when the work goes over `limits`, RenderError for other failures.
        """
        entries = []
        with budget(limits):
            for item in self._items:
                if isinstance(item, Entry):
                    entries.append(item)
                else:
                    xml = _render_part(item, context)
                    entries.append(deflate(item.name, xml.encode("utf-8"), item.date_time))
        return write_package(entries)


def _render_part(part: _Part, context: Mapping[str, Any]) -> str:
    chunks: list[str] = []
    try:
        for chunk in part.template.generate(context):  # each chunk was charged as it was made
            chunks.append(chunk)
    except LimitExceeded as exc:
        raise RenderTooCostly([Problem(N_("%(part)s: %(problem)s"), part=part_label(part.name),
                                       problem=exc.problem)]) from None
    except Exception as exc:  # a user-written template may fail in any way; report, don't crash
        raise RenderError([Problem(N_("%(part)s: %(error)s: %(detail)s"), part=part_label(part.name),
                                   error=type(exc).__name__, detail=shown(str(exc), 300))]) from None
    return "".join(chunks)


def prepare(data: bytes) -> PreparedTemplate:
    """Unzip, regroup and compile a .docx template once; raise TemplateInvalid with every problem."""
    try:
        members = read_package(data, TEMPLATED_PART.fullmatch)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise TemplateInvalid([Problem(N_("not a readable .docx file (%(detail)s)"), detail=shown(str(exc), 200))]
                              ) from exc
    problems: list[Problem] = []
    excessive: list[Problem] = []
    fields: dict[str, str] = {}
    items: list[Entry | _Part] = []
    names = set()
    for member in members:
        if isinstance(member, Entry):
            items.append(member)
            continue
        info, xml = member
        names.add(info.filename)
        try:
            cleaned = clean_part(info.filename, xml)
        except etree.XMLSyntaxError as exc:
            problems.append(Problem(N_("%(part)s: the XML is damaged (%(detail)s)"), part=part_label(info.filename),
                                    detail=shown(str(exc), 200)))
            continue
        except ForbiddenXML:
            problems.append(Problem(N_("%(part)s: the XML declares a DOCTYPE, which a Word document never has"),
                                    part=part_label(info.filename)))
            continue
        template = _compile(cleaned, problems, fields, excessive)
        if template is None:  # no tags here (or broken ones, already reported): copy as is
            items.append(deflate(info.filename, xml, info.date_time))
        else:
            items.append(_Part(info.filename, info.date_time, template))
    if "word/document.xml" not in names:
        problems.append(Problem(N_("not a Word document: %(name)s is missing"), name="word/document.xml"))
    if problems:
        raise TemplateInvalid(problems)
    return PreparedTemplate(frozenset(fields), dict(fields), tuple(items), tuple(excessive))


def _compile(part: CleanedPart, problems: list[Problem], fields: dict[str, str], excessive: list[Problem]):
    """Check a part tag by tag, collect its fields and compile it; None when nothing to compile.

    The tags alone, one per line, form a 'skeleton' with the same Jinja syntax as the whole
    part, so a syntax error's line number points at the exact tag and paragraph.
    """
    problems += part.problems
    if part.source is None or part.problems:
        return None
    nesting = nesting_problems(part.tags)
    problems += nesting
    skeleton = "\n".join(tag.source.replace("\n", " ").replace("\r", " ") for tag in part.tags)
    try:
        ast = ENVIRONMENT.parse(skeleton)
        report = read_fields(ast, ENVIRONMENT.globals)
        excessive += [Problem(N_("%(where)s: %(problem)s"), where=_where(part, line), problem=problem)
                      for line, problem in excessive_work(ast)]
        ENVIRONMENT.compile(ast)  # finds unknown filters and tests, which parsing accepts
    except TemplateSyntaxError as exc:
        if not nesting:  # the nesting message already says it better
            problems.append(Problem(N_("%(where)s: %(detail)s"), where=_where(part, exc.lineno),
                                    detail=shown(exc.message or "", 300)))
        return None
    problems += [Problem(N_("%(where)s: %(problem)s"), where=_where(part, line), problem=message)
                 for line, message in dict.fromkeys(report.unsafe)]
    for resolved, written in report.fields.items():
        fields.setdefault(resolved, written)
    if nesting or report.unsafe:
        return None
    try:
        return ENVIRONMENT.from_string(part.source)
    except TemplateSyntaxError as exc:  # defensive: the skeleton compiled, so this should not happen
        problems.append(Problem(N_("%(where)s: %(detail)s"), where=part_label(part.name),
                                detail=shown(exc.message or "", 300)))
        return None


def _where(part: CleanedPart, line: int | None) -> Problem:
    if not part.tags:
        return part_label(part.name)
    index = min(max((line or 1) - 1, 0), len(part.tags) - 1)
    tag = part.tags[index]
    return Problem(N_("%(where)s, in %(tag)s"), where=tag.where, tag=tag.source)

