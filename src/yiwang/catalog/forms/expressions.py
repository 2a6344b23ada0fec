"""计算字段 The restricted arithmetic of computed fields (``calculateValue: "value = <expr>"``).

Grammar (our own parser; never ``eval``; the page's JS implements the same grammar)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | "data." KEY | "row." KEY | "sum(" "data." KEY "," STRING ")" | "(" expr ")"

Values are :class:`~decimal.Decimal`; an empty or non-numeric operand counts as 0 and a division by
zero makes the whole result empty (``None``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "ExpressionError",
    "Node",
    "evaluate",
    "parse_expression",
    "references",
]

MAX_EXPRESSION_LENGTH = 500
MAX_NODES = 200
_PREFIX = re.compile(r"^\s*value\s*=\s*")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d{1,15}(?:\.\d{1,10})?)|(?P<ref>(?:data|row)\.[A-Za-z][A-Za-z0-9_]{0,49})"
    r"|(?P<sum>sum)\s*\(|(?P<str>'[A-Za-z][A-Za-z0-9_]{0,49}'|\"[A-Za-z][A-Za-z0-9_]{0,49}\")"
    r"|(?P<op>[-+*/(),]))"
)

#: AST nodes: ("num", Decimal) | ("data", key) | ("row", key) | ("sum", table, column)
#: | ("neg", node) | ("bin", op, left, right)
Node = tuple[Any, ...]


class ExpressionError(ValueError):
    """The expression is not in the grammar (message in Chinese, shown to the form's author)."""


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    position = 0
    text = text.rstrip().rstrip(";").rstrip()
    while position < len(text):
        if text[position:].strip() == "":
            return
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"表达式第 {position + 1} 个字符无法识别")
        kind = match.lastgroup or ""
        yield kind, match.group(kind)
        position = match.end()


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.index = 0
        self.nodes = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("表达式不完整")
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        kind, text = self.take()
        if kind != "op" or text != value:
            raise ExpressionError(f"表达式此处应为“{value}”")

    def node(self, node: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError("表达式过于复杂")
        return node

    def expr(self) -> Node:
        left = self.term()
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in "+-":
            self.index += 1
            left = self.node(("bin", token[1], left, self.term()))
        return left

    def term(self) -> Node:
        left = self.unary()
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in "*/":
            self.index += 1
            left = self.node(("bin", token[1], left, self.unary()))
        return left

    def unary(self) -> Node:
        token = self.peek()
        if token == ("op", "-"):
            self.index += 1
            return self.node(("neg", self.unary()))
        return self.primary()

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return self.node(("num", Decimal(text)))
        if kind == "ref":
            scope, key = text.split(".", 1)
            return self.node((scope, key))
        if kind == "sum":
            table_kind, table = self.take()
            if table_kind != "ref" or not table.startswith("data."):
                raise ExpressionError("sum() 的第一个参数应为 data.<表格>")
            self.expect(",")
            column_kind, column = self.take()
            if column_kind != "str":
                raise ExpressionError("sum() 的第二个参数应为列名字符串")
            self.expect(")")
            return self.node(("sum", table.split(".", 1)[1], column[1:-1]))
        if kind == "op" and text == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        raise ExpressionError(f"表达式此处不应出现“{text}”")


def parse_expression(source: str) -> Node:
    """Parse ``value = <expr>`` (the ``value =`` is optional) into an AST or raise ExpressionError."""
    if not isinstance(source, str):
        raise ExpressionError("表达式应为文本")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"表达式不能超过 {MAX_EXPRESSION_LENGTH} 个字符")
    body = _PREFIX.sub("", source, count=1)
    parser = _Parser(list(_tokens(body)))
    if not parser.tokens:
        raise ExpressionError("表达式为空")
    tree = parser.expr()
    if parser.peek() is not None:
        raise ExpressionError(f"表达式多余的内容：“{parser.peek()[1]}”")  # type: ignore[index]
    return tree


def references(tree: Node) -> Iterator[tuple[str, ...]]:
    """Every reference in ``tree``: ("data", key), ("row", key), ("sum", table, column)."""
    kind = tree[0]
    if kind in ("data", "row", "sum"):
        yield tree
    elif kind == "neg":
        yield from references(tree[1])
    elif kind == "bin":
        yield from references(tree[2])
        yield from references(tree[3])


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        return Decimal(int(bool(value)))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)


Lookup = Callable[[str], Any]


def evaluate(tree: Node, data: Lookup, row: Lookup, table: Callable[[str, str], list[Any]]) -> Decimal | None:
    """Evaluate ``tree``: ``data(key)``/``row(key)`` give a value, ``table(key, column)`` a column."""
    try:
        return _evaluate(tree, data, row, table)
    except ArithmeticError:  # decimal's DivisionByZero, InvalidOperation, Overflow
        return None


def _evaluate(tree: Node, data: Lookup, row: Lookup, table: Callable[[str, str], list[Any]]) -> Decimal:
    kind = tree[0]
    if kind == "num":
        return Decimal(tree[1])
    if kind == "data":
        return to_decimal(data(tree[1]))
    if kind == "row":
        return to_decimal(row(tree[1]))
    if kind == "sum":
        return sum((to_decimal(value) for value in table(tree[1], tree[2])), Decimal(0))
    if kind == "neg":
        return -_evaluate(tree[1], data, row, table)
    left = _evaluate(tree[2], data, row, table)
    right = _evaluate(tree[3], data, row, table)
    if tree[1] == "+":
        return left + right
    if tree[1] == "-":
        return left - right
    if tree[1] == "*":
        return left * right
    if right == 0:
        raise DivisionByZero
    return left / right
