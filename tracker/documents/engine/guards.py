"""The checks a render runs as it goes, applying the bounds of limits.py.

Compiled into every template: each {% for %} iterates through `counted`, each `a ~ b` goes
through `concat`, each output first calls `charge` with the length of its fixed text.  The sandbox
(render.py) calls `check_call` before any call, `check_binop` before `*`, `+`, `%` and `**`, and
every filter is wrapped by `guard_filter`.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.runtime import markup_join
from jinja2.visitor import NodeTransformer
from markupsafe import soft_str

from tracker.documents.engine.limits import (
    LimitExceeded, check_size, check_value, current, format_widths, in_force, json_size, printf_widths,
    rendered_size, replaced_size, tick, wrapped_size,
)
from tracker.documents.engine.problems import N_, Problem


class _Counted:
    """A loop's iterable that charges each iteration to the render's budget."""

    __slots__ = ("_iterable",)

    def __init__(self, iterable: Any) -> None:
        self._iterable = iterable

    def __len__(self) -> int:
        return len(self._iterable)

    def __iter__(self) -> Iterator[Any]:
        charged = current()
        for item in self._iterable:
            if charged is not None:
                charged.iterate()
            yield item


def counted(iterable: Any) -> _Counted:
    """Wrapped around the iterable of every {% for %} when the template is compiled."""
    return _Counted(iterable)


def concat(*parts: Any) -> Any:
    """`a ~ b`: refuse a result over the size bound before joining (a doubling `set` chain)."""
    check_size(sum(rendered_size(p) for p in parts))
    tick()
    return markup_join(parts)


def charge(characters: int) -> str:
    """Put before each output of a template: its fixed text counts toward the output bound.

    Jinja buffers what macros and {% set %} blocks write and hands it over whole, so the
    output is counted where it is made (here and in the finalize hook), not where it leaves.
    """
    spent = current()
    if spent is not None:
        spent.wrote(characters)
    return ""


COUNTED = f"{__name__}.counted"
CONCAT = f"{__name__}.concat"
CHARGE = f"{__name__}.charge"
INTERNAL = frozenset({counted, concat, charge})  # the sandbox does not charge its own guards


class _Guarding(NodeTransformer):
    """Route every loop and every `~` of a template through the guards, before it is compiled."""

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.ImportedName(COUNTED), [node.iter], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Call:
        self.generic_visit(node)
        return nodes.Call(nodes.ImportedName(CONCAT), list(node.nodes), [], None, None, lineno=node.lineno)

    def visit_Output(self, node: nodes.Output) -> nodes.Output:
        self.generic_visit(node)
        fixed = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        if fixed:
            node.nodes.insert(0, nodes.Call(nodes.ImportedName(CHARGE), [nodes.Const(fixed)], [], None, None,
                                            lineno=node.lineno))
        return node


class GuardedCodeGenerator(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame=None) -> None:
        _Guarding().visit(node)
        super().visit_Template(node, frame)

    def _output_child_to_const(self, node, frame, finalize):
        # Jinja evaluates constant expressions while compiling, even with the optimizer off;
        # an upload must not make the server compute '%100000000s'|format('a'). Text stays constant.
        if not isinstance(node, nodes.TemplateData):
            raise nodes.Impossible()
        return super()._output_child_to_const(node, frame, finalize)


def step() -> None:
    """Charge one call to the budget and look at the clock."""
    charged = current()
    if charged is not None:
        charged.iterate()
        charged.tick()


def _argument(args: tuple, kwargs: dict, index: int, name: str, default: Any = None) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _filter_precheck(name: str, value: Any, args: tuple, kwargs: dict) -> None:
    """Filters that could build far more than they are given: check what they would build."""
    if name == "center":
        width = _argument(args, kwargs, 0, "width", 80)
        if isinstance(width, int):
            check_size(width)
    elif name == "indent":
        width = _argument(args, kwargs, 0, "width", 4)
        per_line = width if isinstance(width, int) else len(soft_str(width))
        text = soft_str(value)
        check_size(len(text) + per_line * (text.count("\n") + 1))
    elif name == "format":
        text = soft_str(value)
        check_size(len(text) + printf_widths(text, args) + rendered_size(args) + rendered_size(kwargs))
    elif name == "replace":
        old, new = _argument(args, kwargs, 0, "old"), _argument(args, kwargs, 1, "new")
        if old is not None and new is not None:
            check_size(replaced_size(soft_str(value), soft_str(old), soft_str(new)))
    elif name == "tojson":
        indent = _argument(args, kwargs, 0, "indent")
        if isinstance(indent, (int, str)) and not isinstance(indent, bool):
            check_size(json_size(value, indent if isinstance(indent, int) else len(indent)))
    elif name == "wordwrap":
        wrapstring = _argument(args, kwargs, 2, "wrapstring")
        if wrapstring is not None:
            check_size(wrapped_size(soft_str(value), _argument(args, kwargs, 0, "width", 79), soft_str(wrapstring)))
    elif name in ("batch", "slice"):
        count = _argument(args, kwargs, 0, "linecount" if name == "batch" else "slices")
        if isinstance(count, int):
            check_size(count)


def guard_filter(name: str, func):
    """Wrap a filter: bound its work and its result, keeping how Jinja passes it its context."""
    extra = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    def guarded(*args: Any, **kwargs: Any) -> Any:
        step()
        value, rest = (args[extra], args[extra + 1:]) if len(args) > extra else (None, ())
        check_value(value)
        for argument in (*rest, *kwargs.values()):
            check_value(argument)
        if name == "join" and not isinstance(value, (str, Mapping)) and value is not None:
            value = list(value)  # look at the pieces before joining them
            attribute = _argument(rest, kwargs, 1, "attribute")
            pieces = value if attribute is None else [_attribute(args[0], item, attribute) for item in value]
            separator = soft_str(_argument(rest, kwargs, 0, "d", ""))
            check_size(rendered_size(pieces) + len(separator) * len(pieces))
            args = (*args[:extra], value, *rest)
        _filter_precheck(name, value, rest, kwargs)
        return check_value(func(*args, **kwargs))

    guarded.__name__ = getattr(func, "__name__", name)
    if extra:
        guarded.jinja_pass_arg = func.jinja_pass_arg
    return guarded


def _attribute(eval_ctx: Any, item: Any, attribute: Any) -> Any:
    from jinja2.filters import make_attrgetter

    return make_attrgetter(eval_ctx.environment, attribute)(item)


def check_call(obj: Any, args: tuple, kwargs: dict) -> tuple:
    """Before a template calls a function or method: bound what it would build; returns the arguments."""
    step()
    for argument in (*args, *kwargs.values()):
        check_value(argument)
    target = getattr(obj, "__wrapped__", obj)
    owner, name = getattr(target, "__self__", None), getattr(target, "__name__", "")
    if not isinstance(owner, str):
        return args
    if name in ("center", "ljust", "rjust", "zfill"):
        width = _argument(args, kwargs, 0, "width")
        if isinstance(width, int):
            check_size(width)
    elif name == "expandtabs" and "\t" in owner:
        size = _argument(args, kwargs, 0, "tabsize", 8)
        if isinstance(size, int):
            check_size(len(owner) * max(size, 1))
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        check_size(replaced_size(owner, args[0], args[1]))
    elif name in ("format", "format_map"):
        check_size(len(owner) + format_widths(owner, args, kwargs) + rendered_size(args) + rendered_size(kwargs))
    elif name == "translate" and args and isinstance(args[0], Mapping):
        check_size(len(owner) * max((rendered_size(v) for v in args[0].values()), default=1))
    elif name == "join" and args and not isinstance(args[0], (str, Mapping)):
        pieces = list(args[0])
        check_size(rendered_size(pieces) + len(owner) * len(pieces))
        args = (pieces, *args[1:])
    return args


def check_binop(operator: str, left: Any, right: Any) -> None:
    """`*`, `+`, `%` and `**` in a template: refuse results over the bounds before computing them."""
    limits = in_force()
    if operator == "**" and isinstance(right, (int, float)) and abs(right) > 100:
        raise LimitExceeded(Problem(N_("the template raises a number to a power above 100")))
    if operator == "**" and _whole(left) and _whole(right) and right > 0 and \
            abs(left).bit_length() * right * 0.30103 > limits.int_digits:  # 9 ** 99 ** 99 ** 99 is left-assoc.
        raise LimitExceeded(Problem(N_("the template computes a number of more than %(limit)s digits"),
                                    limit=limits.int_digits))
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and count > 0:
                check_size(rendered_size(seq) * count)
                check_size(len(seq) * count)
        if isinstance(left, int) and isinstance(right, int) and \
                (abs(left).bit_length() + abs(right).bit_length()) * 0.30103 > limits.int_digits:
            raise LimitExceeded(Problem(N_("the template computes a number of more than %(limit)s digits"),
                                        limit=limits.int_digits))
    elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        check_size(rendered_size(left) + rendered_size(right))
    elif operator == "%" and isinstance(left, str):
        values = right if isinstance(right, tuple) else (right,)
        check_size(len(left) + printf_widths(left, values) + rendered_size(right))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # Jinja's names, builtins shadowed
    """Jinja's lipsum() global, refusing before it starts a text longer than the size bound."""
    from jinja2.utils import generate_lorem_ipsum

    for number in (n, min, max):
        if not _whole(number):
            raise LimitExceeded(Problem(N_("lipsum() takes whole numbers")))
    check_size(n * max * 15)  # words of at most 14 letters and a space
    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)
