"""A small, safe expression language over case attributes (never ``eval``).

Used by group rules (``high: fidelity >= 10 and engagement >= 60``) and by QCA
conditions. Grammar::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | atom
    atom    := "(" expr ")" | call | compare
    compare := NAME op VALUE | NAME ["not"] "in" "(" VALUE ("," VALUE)* ")"
    call    := NAME "(" VALUE ("," VALUE)* ")"      e.g. code("Geography", "barrier")
    op      := ">=" | "<=" | ">" | "<" | "==" | "=" | "!="
    VALUE   := number (a trailing % is ignored) | 'text' | "text"
    NAME    := letters, digits, _ ; or `any text in backquotes`

Comparisons are typed: numbers compare with numbers, text with ``==``, ``!=`` or
``in`` (ignoring case and surrounding spaces). A case that lacks the attribute
gives *unknown*, which propagates like SQL's NULL (``not unknown`` is unknown,
``unknown or true`` is true), and a rule whose answer is unknown does not match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qualcode.errors import InvalidInputError

Value = int | float | str
Truth = bool | None  # None: unknown (an attribute is missing)

ORDER_OPS = (">=", "<=", ">", "<")
EQUALITY_OPS = ("==", "!=")
KEYWORDS = ("and", "or", "not", "in")


class RuleError(InvalidInputError):
    """An expression that cannot be read; the message names the column."""


@dataclass(frozen=True)
class Token:
    kind: str  # name | number | text | op | kw | end
    text: str
    pos: int
    value: Value | None = None


@dataclass(frozen=True)
class Compare:
    attr: str
    op: str
    value: Value
    pos: int


@dataclass(frozen=True)
class InList:
    attr: str
    values: tuple[Value, ...]
    negated: bool
    pos: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Value, ...]
    pos: int


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    operands: tuple[Node, ...]


Node = Compare | InList | Call | Not | BoolOp
Leaf = Compare | InList | Call

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>-?\d+(?:\.\d+)?%?)
  | (?P<text>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<quoted>`[^`]*`)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>>=|<=|!=|==|=|>|<|\(|\)|,)
""",
    re.VERBOSE,
)


def where_in(source: str, pos: int) -> str:
    near = source[pos : pos + 20]
    return f"column {pos + 1}" + (f" (near {near!r})" if near else " (at the end)")


def tokenize(source: str, label: str = "rule", start: int = 0) -> list[Token]:
    """Split ``source[start:]`` into tokens; an unknown character is an error naming its column.

    Positions count from the start of ``source``, so a rule typed as
    ``high: fidelity >= 10`` reports columns as the user sees them.
    """
    tokens: list[Token] = []
    pos = start
    while pos < len(source):
        m = _TOKEN_RE.match(source, pos)
        if m is None:
            if source[pos] in "'\"`":
                raise RuleError(f"{label}: unclosed quote at {where_in(source, pos)}.")
            raise RuleError(
                f"{label}: unexpected {source[pos]!r} at {where_in(source, pos)}. "
                "Write comparisons like fidelity >= 10 or locality == 'urban'."
            )
        kind = m.lastgroup or ""
        text = m.group()
        if kind == "number":
            num = text.rstrip("%")
            tokens.append(Token("number", text, pos, float(num) if "." in num else int(num)))
        elif kind == "text":
            tokens.append(Token("text", text, pos, re.sub(r"\\(.)", r"\1", text[1:-1])))
        elif kind == "quoted":
            tokens.append(Token("name", text, pos, text[1:-1].strip()))
        elif kind == "name":
            low = text.lower()
            tokens.append(
                Token("kw", low, pos) if low in KEYWORDS else Token("name", text, pos, text)
            )
        elif kind == "op":
            tokens.append(Token("op", "==" if text == "=" else text, pos))
        pos = m.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str, label: str, start: int = 0) -> None:
        self.source, self.label = source, label
        self.tokens = tokenize(source, label, start)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, expected: str) -> RuleError:
        found = "the end of the rule" if self.tok.kind == "end" else repr(self.tok.text)
        return RuleError(
            f"{self.label}: expected {expected} at {where_in(self.source, self.tok.pos)}, "
            f"found {found}."
        )

    def take(self, kind: str, text: str | None = None) -> Token | None:
        if self.tok.kind == kind and (text is None or self.tok.text == text):
            self.i += 1
            return self.tokens[self.i - 1]
        return None

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise RuleError(f"{self.label}: the rule is empty. Write e.g. fidelity >= 10.")
        node = self.parse_or()
        if self.tok.kind != "end":
            raise self.fail("'and', 'or' or the end of the rule")
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.take("kw", "or"):
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_not()]
        while self.take("kw", "and"):
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def parse_not(self) -> Node:
        if self.take("kw", "not"):
            return Not(self.parse_not())
        return self.parse_atom()

    def value(self) -> Value:
        tok = self.take("number") or self.take("text")
        if tok is None:
            raise self.fail("a number or a 'quoted text'")
        assert tok.value is not None
        return tok.value

    def values(self) -> tuple[Value, ...]:
        if not self.take("op", "("):
            raise self.fail("'(' starting a list of values")
        out = [self.value()]
        while self.take("op", ","):
            out.append(self.value())
        if not self.take("op", ")"):
            raise self.fail("',' or ')'")
        return tuple(out)

    def parse_atom(self) -> Node:
        if self.take("op", "("):
            node = self.parse_or()
            if not self.take("op", ")"):
                raise self.fail("')'")
            return node
        name = self.take("name")
        if name is None:
            raise self.fail("an attribute name, 'not' or '('")
        attr = str(name.value)
        if self.tok.kind == "op" and self.tok.text == "(":
            return Call(attr.lower(), self.values(), name.pos)
        negated = bool(self.take("kw", "not"))
        if self.take("kw", "in"):
            values = self.values()
            if len({isinstance(v, str) for v in values}) > 1:
                raise RuleError(
                    f"{self.label}: the list after {attr} in mixes numbers and text "
                    f"at {where_in(self.source, name.pos)}."
                )
            return InList(attr, values, negated, name.pos)
        if negated:
            raise self.fail("'in' after 'not'")
        op = (
            self.tok.text
            if self.tok.kind == "op" and self.tok.text in ORDER_OPS + EQUALITY_OPS
            else None
        )
        if op is None:
            raise self.fail(f"a comparison after {attr!r} (>=, <=, >, <, ==, != or in)")
        self.i += 1
        value = self.value()
        if isinstance(value, str) and op in ORDER_OPS:
            raise RuleError(
                f"{self.label}: text can only be compared with ==, != or in "
                f"({attr} {op} {value!r} at {where_in(self.source, name.pos)})."
            )
        return Compare(attr, op, value, name.pos)


def parse_expression(source: str, label: str = "rule", start: int = 0) -> Node:
    """Parse ``source[start:]``; errors name the column and what was expected there."""
    return _Parser(source, label, start).parse()


def leaves(node: Node) -> list[Leaf]:
    if isinstance(node, Not):
        return leaves(node.operand)
    if isinstance(node, BoolOp):
        return [leaf for part in node.operands for leaf in leaves(part)]
    return [node]


def attribute_names(node: Node) -> list[str]:
    """Attribute names the expression reads, in order of first use."""
    out: list[str] = []
    for leaf in leaves(node):
        if not isinstance(leaf, Call) and leaf.attr not in out:
            out.append(leaf.attr)
    return out


def check_attributes_known(
    node: Node,
    source: str,
    known: list[str],
    *,
    label: str = "rule",
    fix: str = "Fix the name, or set it on the cases first.",
) -> None:
    """A name no case has is a typo, not a missing value: an error listing the names there are.

    ``known`` is every attribute name of the project's cases (any case); an empty
    list means no case has attributes yet, and then every name is unknown.
    """
    lowered = {k.strip().lower() for k in known}
    for leaf in leaves(node):
        if not isinstance(leaf, Call) and leaf.attr.strip().lower() not in lowered:
            names = ", ".join(sorted(set(known), key=str.lower)) or "none yet"
            raise RuleError(
                f"{label}: no case has an attribute {leaf.attr!r} at "
                f"{where_in(source, leaf.pos)} (attributes: {names}). {fix}"
            )


def fmt_value(value: Value | None) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def leaf_text(leaf: Leaf) -> str:
    if isinstance(leaf, Compare):
        return f"{leaf.attr} {leaf.op} {fmt_value(leaf.value)}"
    if isinstance(leaf, InList):
        inner = ", ".join(fmt_value(v) for v in leaf.values)
        return f"{leaf.attr} {'not in' if leaf.negated else 'in'} ({inner})"
    return f"{leaf.name}({', '.join(fmt_value(v) for v in leaf.args)})"


def to_text(node: Node) -> str:
    """The expression written back in a canonical form (for reports)."""
    if isinstance(node, Not):
        inner = to_text(node.operand)
        return f"not ({inner})" if isinstance(node.operand, BoolOp) else f"not {inner}"
    if isinstance(node, BoolOp):
        parts = [f"({to_text(p)})" if isinstance(p, BoolOp) else to_text(p) for p in node.operands]
        return f" {node.op} ".join(parts)
    return leaf_text(node)


CallHandler = Callable[[Call], Truth]


class Evaluator:
    """Evaluate expressions for one case's attributes; explain the answer."""

    def __init__(
        self,
        source: str,
        attributes: dict[str, Value],
        *,
        case: str = "the case",
        label: str = "rule",
        calls: CallHandler | None = None,
    ) -> None:
        self.source, self.case, self.label, self.calls = source, case, label, calls
        self.attributes = {k.strip().lower(): v for k, v in attributes.items()}

    def lookup(self, attr: str) -> Value | None:
        return self.attributes.get(attr.strip().lower())

    def _check_type(self, leaf: Compare | InList, actual: Value, wanted: Value) -> None:
        if isinstance(actual, str) != isinstance(wanted, str):
            kind = "text" if isinstance(actual, str) else "a number"
            other = "text" if isinstance(wanted, str) else "a number"
            raise RuleError(
                f"{self.label}: {leaf.attr} of {self.case} is {kind} "
                f"({fmt_value(actual)}) but the rule compares it with {other} at "
                f"{where_in(self.source, leaf.pos)}. Fix the attribute or the rule."
            )

    def leaf(self, leaf: Leaf) -> Truth:
        if isinstance(leaf, Call):
            if self.calls is None:
                raise RuleError(
                    f"{self.label}: {leaf.name}(...) at {where_in(self.source, leaf.pos)} "
                    "cannot be used here; compare case attributes instead."
                )
            return self.calls(leaf)
        actual = self.lookup(leaf.attr)
        if actual is None:
            return None
        if isinstance(leaf, InList):
            self._check_type(leaf, actual, leaf.values[0])
            found = any(_equal(actual, v) for v in leaf.values)
            return found != leaf.negated
        self._check_type(leaf, actual, leaf.value)
        if leaf.op == "==":
            return _equal(actual, leaf.value)
        if leaf.op == "!=":
            return not _equal(actual, leaf.value)
        a, b = float(actual), float(leaf.value)  # type: ignore[arg-type]
        return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[leaf.op]

    def eval(self, node: Node) -> Truth:
        """Kleene three-valued logic: unknown only when the known parts cannot decide."""
        if isinstance(node, Not):
            v = self.eval(node.operand)
            return None if v is None else not v
        if isinstance(node, BoolOp):
            values = [self.eval(p) for p in node.operands]
            decisive = node.op == "or"  # True decides an 'or', False decides an 'and'
            if decisive in values:
                return decisive
            return None if None in values else not decisive
        return self.leaf(node)

    def explain(self, node: Node) -> list[str]:
        """The leaves that decided the answer, e.g. ``engagement 51 >= 60 is false``."""
        want = self.eval(node)
        out: list[str] = []
        self._blame(node, want, out)
        return list(dict.fromkeys(out))

    def _blame(self, node: Node, want: Truth, out: list[str]) -> None:
        if isinstance(node, Not):
            self._blame(node.operand, None if want is None else not want, out)
            return
        if isinstance(node, BoolOp):
            for part in node.operands:
                if self.eval(part) is want:
                    self._blame(part, want, out)
            return
        if isinstance(node, Call):
            out.append(f"{leaf_text(node)} is {_truth_word(want)}")
            return
        actual = self.lookup(node.attr)
        if actual is None:
            out.append(f"{node.attr} is missing")
            return
        shown = leaf_text(node).replace(node.attr, f"{node.attr} {fmt_value(actual)}", 1)
        out.append(f"{shown} is {_truth_word(want)}")


def _truth_word(value: Truth) -> str:
    return "unknown" if value is None else str(value).lower()


def _equal(a: Value, b: Value) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return float(a) == float(b)


def split_labelled(spec: str, what: str = "rule") -> tuple[str, str, int]:
    """``"high: fidelity >= 10"`` -> ``("high", "fidelity >= 10", 6)``: label, expression and
    where the expression starts in ``spec``; the label is required."""
    label, sep, rest = spec.partition(":")
    if not sep or not label.strip() or not re.fullmatch(r"[\w .-]+", label.strip()):
        raise RuleError(
            f"{what} {spec!r}: write it as NAME: EXPRESSION, "
            "e.g. 'high: fidelity >= 10 and engagement >= 60'."
        )
    start = len(label) + 1 + (len(rest) - len(rest.lstrip()))
    return label.strip(), rest.strip(), start
