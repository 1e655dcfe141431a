"""Plausible wrong answers made by machine: small edits (mutants) of an assignment's reference answers.

Each operator walks the syntax tree of one answer cell and proposes, at
every place it applies, the edits a student who half-read the exercise
might make: a keyword argument left out, a sibling Keras string, a number
a step off, ``//`` for ``/``, ``>=`` for ``>``, a statement dropped, a layer
(or any item of a list) dropped, doubled or swapped with the next, the first or the best element instead of the last, a
reversed slice, two arguments swapped. A mutant is named by its cell, its
operator, its line and what it changed, so a recorded verdict
(`autograder.authoring.audit`) finds it again while the reference stays the
same.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

# Keras strings a student confuses with each other, by family.
SIBLINGS: tuple[frozenset[str], ...] = (
    frozenset({"relu", "sigmoid", "tanh", "softmax", "linear", "elu", "selu", "swish"}),
    frozenset({"sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
               "mean_squared_error", "mse"}),
    frozenset({"accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy"}),
    frozenset({"same", "valid"}),
    frozenset({"adam", "sgd", "rmsprop", "nadam", "adamw", "adagrad"}),
    frozenset({"val_loss", "loss", "val_accuracy", "accuracy"}),
    frozenset({"auto", "min", "max"}),
    frozenset({"float32", "float64", "float16", "uint8", "int64"}),
    frozenset({"nearest", "reflect", "constant", "wrap", "bilinear"}),
)
# How a student turns a number into a whole one, and how each is written when swapped in.
ROUNDINGS = {"round": "round", "floor": "np.floor", "ceil": "np.ceil", "int": "int", "trunc": "np.trunc"}


@dataclass(frozen=True)
class Mutant:
    """One edit of one answer cell: ``name`` is stable across runs; ``source`` is the whole mutated cell."""

    cell: str
    operator: str
    name: str
    source: str


Site = tuple[Callable[[ast.AST], ast.AST], str]  # how to edit the node (returning its replacement), what changed


def _keyword_sites(node: ast.AST) -> Iterator[Site]:
    if isinstance(node, ast.Call):
        for position, keyword in enumerate(node.keywords):
            if keyword.arg is not None:
                def drop(call: ast.Call, position=position) -> ast.Call:
                    call.keywords.pop(position)
                    return call
                yield drop, f"{keyword.arg}= left out"


def _string_sites(node: ast.AST) -> Iterator[Site]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        for family in SIBLINGS:
            if node.value in family:
                for sibling in sorted(family - {node.value}):
                    yield lambda _, sibling=sibling: ast.Constant(sibling), f"{node.value!r} -> {sibling!r}"


def _number_sites(node: ast.AST) -> Iterator[Site]:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        steps = {value + 1, value - 1, 0, 1} if isinstance(value, int) else {value * 2, value / 2, 0.0}
        for other in sorted(steps - {value}):
            yield lambda _, other=other: ast.Constant(other), f"{value!r} -> {other!r}"


def _operator_sites(node: ast.AST) -> Iterator[Site]:
    swaps = {ast.Div: ast.FloorDiv, ast.FloorDiv: ast.Div, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE,
             ast.LtE: ast.Lt}
    if isinstance(node, ast.BinOp) and type(node.op) in swaps:
        def swap_binary(binary: ast.BinOp) -> ast.BinOp:
            binary.op = swaps[type(binary.op)]()
            return binary
        yield swap_binary, f"{type(node.op).__name__} -> {swaps[type(node.op)].__name__}"
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in swaps:
        def swap_comparison(compare: ast.Compare) -> ast.Compare:
            compare.ops = [swaps[type(compare.ops[0])]()]
            return compare
        yield swap_comparison, f"{type(node.ops[0]).__name__} -> {swaps[type(node.ops[0])].__name__}"
    name = _called_name(node)
    if name in ROUNDINGS:
        for other, spelling in ROUNDINGS.items():
            if other != name:
                def rename(call: ast.Call, spelling=spelling) -> ast.Call:
                    call.func = ast.parse(spelling, mode="eval").body
                    return call
                yield rename, f"{name}() -> {other}()"


def _called_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return node.func.id
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
    return None


def _statement_sites(node: ast.AST) -> Iterator[Site]:
    for field in ("body", "orelse"):
        statements = getattr(node, field, None)
        if isinstance(statements, list) and len(statements) > 1 and not isinstance(node, ast.Module):
            for position, statement in enumerate(statements):
                is_docstring = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                if not is_docstring and isinstance(statement, (ast.Expr, ast.Assign, ast.AugAssign, ast.For, ast.If,
                                                               ast.Return)):
                    def delete(parent: ast.AST, field=field, position=position) -> ast.AST:
                        getattr(parent, field).pop(position)
                        return parent
                    yield delete, f"statement on line {statement.lineno} deleted"


def _list_sites(node: ast.AST) -> Iterator[Site]:
    """Items of a list or tuple written out (layers, names, sizes): each left out, doubled, or swapped with the next."""
    if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) > 1:
        for position, element in enumerate(node.elts):
            label = _called_name(element) or ast.unparse(element)[:30]
            def drop(listing: ast.List, position=position) -> ast.List:
                listing.elts.pop(position)
                return listing
            def double(listing: ast.List, position=position) -> ast.List:
                listing.elts.insert(position, copy.deepcopy(listing.elts[position]))
                return listing
            def swap(listing: ast.List, position=position) -> ast.List:
                listing.elts[position], listing.elts[position + 1] = listing.elts[position + 1], listing.elts[position]
                return listing
            yield drop, f"{label} (item {position}) left out"
            yield double, f"{label} (item {position}) doubled"
            if position + 1 < len(node.elts):
                yield swap, f"items {position} and {position + 1} swapped"


def _element_sites(node: ast.AST) -> Iterator[Site]:
    if isinstance(node, ast.Subscript):
        index = node.slice
        if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) and getattr(index.operand, "value", None) == 1:
            yield lambda sub: (setattr(sub, "slice", ast.Constant(0)) or sub), "[-1] -> [0] (first, not last)"
            for best in ("max", "min"):
                yield lambda sub, best=best: ast.Call(ast.Name(best), [sub.value], []), f"[-1] -> {best}() (best, not last)"
        if isinstance(index, ast.Slice):
            step = None if index.step is None else ast.unparse(index.step)
            if step in (None, "1"):
                yield lambda sub: (setattr(sub.slice, "step", ast.Constant(-1)) or sub), "slice reversed"
                yield lambda sub: (setattr(sub.slice, "step", ast.Constant(2)) or sub), "slice of every second"
            elif step == "-1":
                yield lambda sub: (setattr(sub.slice, "step", None) or sub), "slice not reversed"
    if isinstance(node, ast.Call):
        positional = node.args
        for first in range(len(positional)):
            for second in range(first + 1, len(positional)):
                if type(positional[first]) is type(positional[second]) and not isinstance(positional[first], ast.Starred):
                    def swap(call: ast.Call, first=first, second=second) -> ast.Call:
                        call.args[first], call.args[second] = call.args[second], call.args[first]
                        return call
                    yield swap, f"arguments {first + 1} and {second + 1} of {_called_name(node)}() swapped"


OPERATORS: dict[str, Callable[[ast.AST], Iterator[Site]]] = {
    "keyword": _keyword_sites,
    "string": _string_sites,
    "number": _number_sites,
    "operator": _operator_sites,
    "statement": _statement_sites,
    "list": _list_sites,
    "element": _element_sites,
}


def cell_mutants(cell: str, source: str, operators: tuple[str, ...] = tuple(OPERATORS)) -> list[Mutant]:
    """Every mutant of one answer cell's ``source`` that ``operators`` propose, each once.

    Example:
        >>> [m.name for m in cell_mutants("scale", "def f(x):\\n    return x / 255", ("operator",))]
        ['scale:operator:2.11:Div -> FloorDiv']
    """
    tree = ast.parse(source)
    original = ast.unparse(tree)
    found: dict[str, Mutant] = {}
    for operator in operators:
        sites_of = OPERATORS[operator]
        for position, node in enumerate(ast.walk(tree)):
            for replace, change in sites_of(node):
                mutated = _replaced(tree, position, replace)
                if mutated is None or mutated == original:
                    continue
                name = f"{cell}:{operator}:{getattr(node, 'lineno', 0)}.{getattr(node, 'col_offset', 0)}:{change}"
                found.setdefault(name, Mutant(cell, operator, name, mutated))
    return list(found.values())


def _replaced(tree: ast.Module, position: int, replace: Callable[[ast.AST], ast.AST]) -> str | None:
    """The source of a copy of ``tree`` whose ``position``-th node (in `ast.walk` order) is edited, or None when the
    edit leaves no valid code."""
    copied = copy.deepcopy(tree)
    target = next(node for index, node in enumerate(ast.walk(copied)) if index == position)
    replacement = replace(target)
    if replacement is not target:
        for parent in ast.walk(copied):
            for field, value in ast.iter_fields(parent):
                if value is target:
                    setattr(parent, field, replacement)
                elif isinstance(value, list):
                    value[:] = [replacement if item is target else item for item in value]
    try:
        return ast.unparse(ast.fix_missing_locations(copied))
    except (AttributeError, TypeError, ValueError):
        return None


def all_mutants(answers: Mapping[str, str], operators: tuple[str, ...] = tuple(OPERATORS)) -> list[Mutant]:
    """Every mutant of every answer cell (``answers``: source by grade_id), cell by cell."""
    return [mutant for cell, source in answers.items() for mutant in cell_mutants(cell, source, operators)]
