"""Query plans as Django QuerySet filters: the rows a check would allow, selected by
the database.

:func:`filter_queryset` translates a plan's condition (docs/query-plans.md) into
``Q`` objects over a model, given which model field holds each resource attribute.
It selects exactly the rows whose resource, as :func:`resource_attributes` reads it
from the row, a check would allow; what it cannot translate exactly raises
:class:`UntranslatableError`, never a broader filter.

Supported databases: SQLite and PostgreSQL. Supported field kinds, for an attribute
of type:

- ``string``: CharField, TextField and their subclasses (SlugField, EmailField, ...)
  without a ``db_collation`` other than ``C``/``POSIX``/``BINARY``; ``id`` may also be
  an integer field, compared as its decimal text;
- ``int``: the integer fields (and AutoFields); ``double``: FloatField;
  ``bool``: BooleanField; ``timestamp``: DateTimeField (with ``USE_TZ = True``);
- ``list(T)`` of one of those: a one-to-many or many-to-many relation and a field of
  the related model, ``{"tags": "tags__name"}``, one related row per element;
- a field reached through foreign keys, ``{"org": "org__slug"}``.

A NULL (a nullable field, or a foreign key that is NULL) is the attribute's zero
value (``""``, ``0``, ``false``, the zero timestamp), as if the row's resource left the
attribute out, which is what :func:`resource_attributes` does.

Where CEL and SQL differ, the translation follows CEL (as runtime/cond/pgsql does):
strings compare by code point (``COLLATE "C"`` on PostgreSQL, SQLite's binary
collation); ``startsWith``, ``endsWith`` and ``contains`` never use ``LIKE`` (whose
wildcards and, on SQLite, ASCII case folding would need care) but exact substring
comparisons, on bytes in SQLite so that NUL characters count; a double column's NaN
(PostgreSQL) is unequal to everything; a timestamp constant with nanoseconds is
compared exactly against microsecond values; a string with NUL, which PostgreSQL
text cannot hold, matches no row there.

Not translated (they raise): ``matches`` (regular expressions), ``unplanned`` parts of
a spec, ``size()`` of a list, or of a string on SQLite (whose ``length()`` stops at
NUL), maps, ``uint``, ``bytes`` and ``duration`` attributes, and a quantifier body that
uses anything but its element.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping, TypeVar, Union

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import Q, Value
from django.db.models.expressions import Func
from django.db.models.functions import Cast, Coalesce, Collate, Left, Length, Right, StrIndex
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, In, LessThan, LessThanOrEqual

from .._errors import PermcError
from .._types import Plan

M = TypeVar("M", bound=models.Model)

__all__ = ["UntranslatableError", "filter_queryset", "resource_attributes"]


class UntranslatableError(PermcError, ValueError):
    """A plan, or part of one, that has no exact translation into a filter."""


_LOOKUPS: dict[str, Any] = {
    "==": Exact,
    "<": LessThan,
    "<=": LessThanOrEqual,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
}
_FLIP = {"==": "==", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_EXACT_COLLATIONS = {"C", "POSIX", "BINARY", "ucs_basic"}
_UTC = dt.timezone.utc
_ZERO = {"string": "", "int": 0, "double": 0.0, "bool": False, "timestamp": dt.datetime(1, 1, 1, tzinfo=_UTC)}


def _output(kind: str) -> models.Field[Any, Any]:
    field: models.Field[Any, Any] = {
        "string": models.TextField,
        "int": models.BigIntegerField,
        "double": models.FloatField,
        "bool": models.BooleanField,
        "timestamp": models.DateTimeField,
    }[kind]()
    return field


class _Blob(Func):
    """SQLite: a string's UTF-8 bytes, NUL characters included."""

    template = "CAST(%(expressions)s AS BLOB)"
    output_field = models.BinaryField()


class _SQLiteFunc(Func):
    def __init__(self, function: str, *expressions: Any, output_field: models.Field[Any, Any]) -> None:
        super().__init__(*expressions, function=function, output_field=output_field)


def _kind(field: models.Field[Any, Any], vendor: str) -> str:
    if isinstance(field, models.BooleanField):
        return "bool"
    if isinstance(field, (models.IntegerField, models.AutoField, models.BigAutoField, models.SmallAutoField)):
        return "int"
    if isinstance(field, models.FloatField):
        return "double"
    if isinstance(field, models.DateTimeField):
        if not settings.USE_TZ:
            raise UntranslatableError(f"{field} is a DateTimeField, and timestamps need USE_TZ = True")
        return "timestamp"
    if isinstance(field, (models.CharField, models.TextField)):
        collation = getattr(field, "db_collation", None)
        if collation and collation not in _EXACT_COLLATIONS:
            raise UntranslatableError(f"{field} has collation {collation!r}, which may not compare strings as CEL does")
        return "string"
    raise UntranslatableError(f"{field} ({type(field).__name__}) has no exact translation; see permc.django.filters for the field kinds supported")


@dataclass
class _Path:
    """Where an attribute is: a scalar field (expr, kind), or a list held by a
    multi-valued relation (prefix: the lookup to the relation, related: its model,
    rest: the element's field on it)."""

    kind: str
    expr: Any = None
    attr: str = ""
    prefix: str = ""
    related: Any = None
    rest: str = ""


@dataclass
class _Const:
    kind: str
    value: Any


_Val = Union[_Path, _Const]
_Cond = Union[Q, bool]


def _junction(parts: list[_Cond], conjunction: bool) -> _Cond:
    """AND (conjunction) or OR of conditions, constants folded: Q() is no constant
    (it vanishes from both), so none may reach a Q."""
    qs: list[Q] = []
    for p in parts:
        if p is (not conjunction):
            return not conjunction
        if p is not conjunction:
            qs.append(p)  # type: ignore[arg-type]
    if not qs:
        return conjunction
    out = qs[0]
    for q in qs[1:]:
        out = out & q if conjunction else out | q
    return out


def _and(parts: list[_Cond]) -> _Cond:
    return _junction(parts, True)


def _or(parts: list[_Cond]) -> _Cond:
    return _junction(parts, False)


def _not(c: _Cond) -> _Cond:
    if isinstance(c, bool):
        return not c
    return ~c


_TIMESTAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def _timestamp(text: str) -> tuple[dt.datetime, bool]:
    """An RFC 3339 timestamp as a datetime truncated to microseconds, and whether it
    was exact (no digits below the microsecond)."""
    m = _TIMESTAMP.match(text)
    if not m:
        raise UntranslatableError(f"malformed timestamp {text!r} in the plan")
    frac = (m.group(7) or "").ljust(9, "0")
    tz = _UTC if m.group(8) == "Z" else dt.datetime.strptime(m.group(8).replace(":", ""), "%z").tzinfo
    y, mo, da, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    d = dt.datetime(y, mo, da, h, mi, se, int(frac[:6]), tzinfo=tz)
    return d.astimezone(_UTC), frac[6:] == "000"


class _Translator:
    def __init__(self, model: type[models.Model], fields: Mapping[str, str], vendor: str, var: tuple[str, _Path] | None = None) -> None:
        self.model = model
        self.fields = fields
        self.vendor = vendor
        self.pg = vendor == "postgresql"
        self.var = var  # inside a quantifier over a relation: its variable and element

    # --- values ---

    def path(self, attr: str) -> _Path:
        if self.var is not None:
            raise UntranslatableError(f"a quantifier's condition uses resource.{attr}: only its own element is supported")
        if attr not in self.fields:
            raise UntranslatableError(f"no model field for attribute {attr!r} (fields maps {sorted(self.fields)})")
        return self.resolve(self.model, self.fields[attr], attr)

    def resolve(self, model: type[models.Model], path: str, attr: str) -> _Path:
        opts = model._meta
        nullable = False
        parts = path.split("__")
        for i, part in enumerate(parts):
            try:
                f = opts.pk if part == "pk" else opts.get_field(part)
            except FieldDoesNotExist:
                raise UntranslatableError(f"{model.__name__} has no field {path!r} (for attribute {attr!r})") from None
            assert f is not None
            last = i == len(parts) - 1
            if f.is_relation and (f.one_to_many or f.many_to_many):
                if last:
                    raise UntranslatableError(f"{path!r} names a relation: name the related model's field that holds the elements, as {path}__name")
                elem = self.resolve(f.related_model, "__".join(parts[i + 1 :]), attr)  # type: ignore[arg-type]
                if elem.prefix:
                    raise UntranslatableError(f"{path!r} crosses two multi-valued relations")
                return _Path(kind="list", prefix="__".join(parts[: i + 1]), related=f.related_model, rest="__".join(parts[i + 1 :]), expr=elem.kind)
            if f.is_relation:
                nullable = bool(nullable or f.null or f.one_to_one and f.auto_created)
                if last:
                    f = f.target_field  # type: ignore[union-attr]
                    break
                opts = f.related_model._meta  # type: ignore[union-attr]
                continue
            if not last:
                raise UntranslatableError(f"{path!r}: lookups and transforms after a field are not supported")
            nullable = nullable or f.null
        kind = _kind(f, self.vendor)  # type: ignore[arg-type]
        expr: Any = models.F(path)
        if nullable:
            expr = Coalesce(expr, Value(_ZERO[kind], output_field=_output(kind)), output_field=_output(kind))
        return _Path(kind=kind, expr=expr, attr=attr)

    def value(self, v: Mapping[str, Any]) -> _Val:
        if "attr" in v:
            return self.path(v["attr"])
        if "var" in v:
            if self.var is None or self.var[0] != v["var"]:
                raise UntranslatableError(f"variable {v['var']} is not bound")
            return self.var[1]
        if "value" in v:
            return self.const(v["value"], v.get("type", ""))
        if "size" in v:
            of = self.value(v["size"])
            if isinstance(of, _Path) and of.kind == "string" and self.pg:
                return _Path(kind="int", expr=Length(of.expr))
            raise UntranslatableError("size() of " + ("a list" if getattr(of, "kind", "") == "list" else "this value") + f" has no exact translation on {self.vendor}")
        raise UntranslatableError(f"unknown value {v!r} in the plan")

    def const(self, x: Any, typ: str) -> _Const:
        if typ.startswith("list(") and typ.endswith(")"):
            if not isinstance(x, list):
                raise UntranslatableError(f"a {typ} constant that is not a list")
            elem = typ[5:-1]
            return _Const("list:" + elem, [self.const(e, elem).value for e in x])
        if typ == "string" and isinstance(x, str):
            return _Const("string", x)
        if typ == "int" and isinstance(x, int) and not isinstance(x, bool):
            return _Const("int", x)
        if typ == "bool" and isinstance(x, bool):
            return _Const("bool", x)
        if typ == "double":
            if isinstance(x, str) and x in ("NaN", "Infinity", "-Infinity"):
                return _Const("double", float(x.replace("Infinity", "inf")))
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                return _Const("double", float(x))
        if typ == "timestamp" and isinstance(x, str):
            return _Const("timestamp", _timestamp(x))
        raise UntranslatableError(f"constants of type {typ or '?'} have no translation ({x!r})")

    # --- helpers ---

    def storable(self, kind: str, v: Any) -> bool:
        """Whether a column of kind can hold a value equal to v: PostgreSQL text holds
        no NUL, no column a timestamp with nanoseconds, and NaN equals nothing."""
        if kind == "string":
            return not (self.pg and "\x00" in v)
        if kind == "timestamp":
            return bool(v[1])
        if kind == "double":
            return not math.isnan(v)
        return True

    def lit(self, kind: str, v: Any) -> Value:
        if kind == "timestamp":
            v = v[0]
        return Value(v, output_field=_output(kind))

    def guards(self, p: _Path) -> list[_Cond]:
        """NaN is unequal and unordered in CEL; PostgreSQL's equals itself and sorts
        above every number. SQLite stores no NaN."""
        if p.kind == "double" and self.pg:
            return [~Q(Exact(p.expr, Value(float("nan"), output_field=models.FloatField())))]
        return []

    def string_order(self, expr: Any) -> Any:
        """CEL orders strings by code point: byte order in UTF-8."""
        return Collate(expr, "C") if self.pg else expr

    def exists(self, p: _Path, body: Mapping[str, Any] | None, var: str, elem_cond: Any = None) -> _Cond:
        """Whether some element of a relation list satisfies body (a condition on the
        variable var) or elem_cond (a function of the element's _Path)."""
        elem = _Translator(p.related, {}, self.vendor).resolve(p.related, p.rest, var)
        inner = _Translator(p.related, {}, self.vendor, var=(var, elem))
        c = inner.cond(body) if body is not None else elem_cond(inner, elem)
        if c is False:
            return False
        # A NULL element is no element (resource_attributes leaves it out).
        related = p.related._base_manager.filter(**{p.rest + "__isnull": False})
        if c is not True:
            related = related.filter(c)
        base = self.model._base_manager.filter(**{p.prefix + "__in": related}).values("pk")
        return Q(pk__in=base)

    # --- conditions ---

    def cond(self, c: Any) -> _Cond:
        if isinstance(c, bool):
            return c
        if not isinstance(c, Mapping):
            raise UntranslatableError(f"unknown condition {c!r} in the plan")
        if "and" in c:
            return _and([self.cond(x) for x in c["and"]])
        if "or" in c:
            return _or([self.cond(x) for x in c["or"]])
        if "not" in c:
            return _not(self.cond(c["not"]))
        op = c.get("op")
        if op in _LOOKUPS:
            return self.compare(op, self.value(c["left"]), self.value(c["right"]))
        if op == "in":
            return self.member(self.value(c["left"]), self.value(c["right"]))
        if op in ("startsWith", "endsWith", "contains"):
            return self.strtest(op, self.value(c["left"]), self.value(c["right"]))
        if op in ("exists", "all"):
            return self.quant(op == "all", c["var"], self.value(c["in"]), c["where"])
        if op == "matches":
            raise UntranslatableError("regular expressions have no exact translation (CEL uses RE2, databases their own)")
        if op == "unplanned":
            where = f"{c.get('at', '?')}: {c.get('what', '?')}: " if c.get("at") else ""
            raise UntranslatableError(f"{where}cannot translate {c.get('expr', '?')}: {c.get('why', 'not planned')}")
        raise UntranslatableError(f"unknown condition {c!r} in the plan")

    def compare(self, op: str, left: _Val, right: _Val) -> _Cond:
        if isinstance(left, _Const) and isinstance(right, _Path):
            left, right, op = right, left, _FLIP[op]
        if not isinstance(left, _Path):
            raise UntranslatableError("a comparison of two constants in the plan")
        if left.kind == "list":
            raise UntranslatableError("comparisons of lists have no translation")
        expr = left.expr
        if isinstance(right, _Const):
            kind, v = right.kind, right.value
            if kind == "string" and left.kind == "int" and left.attr == "id":
                # A resource id is text: an integer key compares as its decimal form.
                expr, left = Cast(expr, models.TextField()), _Path("string", Cast(expr, models.TextField()), "id")
            if kind != left.kind:
                raise UntranslatableError(f"a {left.kind} field compared with a {kind} constant")
            if kind == "double" and math.isnan(v):
                return False
            if not self.storable(kind, v):
                if op == "==":
                    return False
                # No stored value lies between the constant and the one below it that
                # a column can hold: the part before NUL, the microsecond below.
                v = (v.split("\x00", 1)[0]) if kind == "string" else (v[0], True)
                op = {"<": "<=", "<=": "<=", ">": ">", ">=": ">"}[op]
            rhs: Any = self.lit(kind, v)
            guards = self.guards(left)
        else:
            if right.kind != left.kind or right.kind == "list":
                raise UntranslatableError(f"a {left.kind} field compared with a {right.kind} field")
            rhs = right.expr
            guards = self.guards(left) + self.guards(right)
        if left.kind == "string" and op != "==":
            expr = self.string_order(expr)
        return _and([*guards, Q(_LOOKUPS[op](expr, rhs))])

    def member(self, elem: _Val, coll: _Val) -> _Cond:
        if isinstance(coll, _Const):
            if not isinstance(elem, _Path) or not coll.kind.startswith("list:"):
                raise UntranslatableError("membership of a constant in a constant list")
            kind = coll.kind[5:]
            if elem.kind == "int" and kind == "string" and elem.attr == "id":
                elem = _Path("string", Cast(elem.expr, models.TextField()), "id")
            if elem.kind != kind:
                raise UntranslatableError(f"a {elem.kind} field in a list of {kind}")
            values = [v for v in coll.value if self.storable(kind, v)]
            if not values:
                return False
            return Q(In(elem.expr, [self.lit(kind, v) for v in values]))
        if coll.kind != "list":
            raise UntranslatableError(f"membership in a {coll.kind}")
        if not isinstance(elem, _Const):
            raise UntranslatableError("membership of a field in a list field has no translation")
        const = elem
        return self.exists(coll, None, "_", lambda t, e: t.compare("==", e, const))

    def strtest(self, op: str, s: _Val, a: _Val) -> _Cond:
        for v in (s, a):
            if v.kind != "string":
                raise UntranslatableError(f"{op} on a {v.kind}")
        if isinstance(s, _Const) and isinstance(a, _Const):
            raise UntranslatableError(f"{op} of two constants in the plan")
        if isinstance(a, _Const):
            if a.value == "":
                return True
            if self.pg and "\x00" in a.value:
                return False  # no stored string holds NUL
        if isinstance(s, _Const) and self.pg and "\x00" in s.value:
            raise UntranslatableError("PostgreSQL text cannot hold NUL")
        if self.pg:
            return self.strtest_pg(op, s, a)
        return self.strtest_sqlite(op, s, a)

    def expr(self, v: _Val) -> Any:
        return v.expr if isinstance(v, _Path) else Value(v.value, output_field=models.TextField())

    def strtest_pg(self, op: str, s: _Val, a: _Val) -> _Cond:
        # On characters: PostgreSQL text holds no NUL, and its string functions
        # count code points, as CEL does.
        S, A = self.expr(s), self.expr(a)
        if op == "contains":
            return Q(GreaterThan(StrIndex(S, A), 0))
        if isinstance(a, _Const):
            n = len(a.value)
            part = Left(S, n) if op == "startsWith" else Right(S, n)
            return Q(Exact(part, A))
        if op == "startsWith":
            return Q(Exact(Left(S, Length(A)), A))
        tail = _SQLiteFunc("SUBSTRING", S, Length(S) - Length(A) + 1, output_field=models.TextField())
        return Q(GreaterThanOrEqual(Length(S), Length(A))) & Q(Exact(tail, A))

    def strtest_sqlite(self, op: str, s: _Val, a: _Val) -> _Cond:
        # On UTF-8 bytes, which is exact for code points, keeps NUL (SQLite's string
        # functions stop at it) and is case-sensitive (LIKE is not, for ASCII).
        def blob(v: _Val) -> Any:
            return _Blob(v.expr) if isinstance(v, _Path) else Value(v.value.encode("utf-8", "surrogatepass"), output_field=models.BinaryField())

        S, A = blob(s), blob(a)
        integer = models.BigIntegerField()
        if op == "contains":
            return Q(GreaterThan(_SQLiteFunc("INSTR", S, A, output_field=integer), 0))
        if isinstance(a, _Const):
            n = len(a.value.encode("utf-8", "surrogatepass"))
            start = 1 if op == "startsWith" else -n
            return Q(Exact(_SQLiteFunc("SUBSTR", S, start, n, output_field=models.BinaryField()), A))
        n_a = _SQLiteFunc("LENGTH", A, output_field=integer)
        if op == "startsWith":
            return Q(Exact(_SQLiteFunc("SUBSTR", S, 1, n_a, output_field=models.BinaryField()), A))
        n_s = _SQLiteFunc("LENGTH", S, output_field=integer)
        tail = _SQLiteFunc("SUBSTR", S, n_s - n_a + 1, output_field=models.BinaryField())
        return Q(GreaterThanOrEqual(n_s, n_a)) & Q(Exact(tail, A))

    def quant(self, every: bool, var: str, lst: _Val, body: Any) -> _Cond:
        if not isinstance(lst, _Path) or lst.kind != "list":
            raise UntranslatableError("exists/all over anything but a list field")
        if every:
            return _not(self.exists(lst, {"not": body}, var))
        return self.exists(lst, body, var)


def filter_queryset(queryset: models.QuerySet[M], plan: Plan | Mapping[str, Any] | bytes | str, fields: Mapping[str, str]) -> models.QuerySet[M]:
    """Filters ``queryset`` to the rows a check would allow, by the plan's condition.

    ``plan`` is a :class:`permc.Plan` or its JSON (as ``permc plan`` prints it).
    ``fields`` maps each resource attribute the condition tests, ``id`` included, to
    the model field (or lookup through foreign keys, or relation and field for a
    list) that holds it: ``{"id": "slug", "org": "org__slug", "tags": "tags__name"}``.

    An ``allowed`` plan gives ``queryset.all()``, a ``denied`` one
    ``queryset.none()``. Raises :class:`UntranslatableError` for a condition (or a
    field) without an exact translation on the queryset's database.
    """
    if not isinstance(plan, Plan):
        plan = Plan.from_dict(plan) if isinstance(plan, Mapping) else Plan.from_json(plan)
    out: models.QuerySet[M]
    if plan.decision == "denied":
        out = queryset.none()
    elif plan.decision == "allowed":
        out = queryset.all()
    else:
        vendor = connections[queryset.db].vendor
        if vendor not in ("sqlite", "postgresql"):
            raise UntranslatableError(f"filters are translated for SQLite and PostgreSQL, not {vendor}")
        c = _Translator(queryset.model, fields, vendor).cond(plan.condition)
        out = queryset.all() if c is True else queryset.none() if c is False else queryset.filter(c)
    return out


def resource_attributes(obj: models.Model, fields: Mapping[str, str]) -> dict[str, Any]:
    """The resource attributes of a row, read through the same mapping
    :func:`filter_queryset` takes: a NULL (a nullable field, or a foreign key that is
    NULL) leaves its attribute out, so that a check sees its zero value; a list is
    read from its relation, one element per related row; ``id`` is left out (it is
    the resource's id, not an attribute: see :func:`resource`)."""
    out: dict[str, Any] = {}
    for attr, path in fields.items():
        if attr == "id":
            continue
        v = _read(obj, path.split("__"))
        if v is not None:
            out[attr] = v
    return out


def resource(obj: models.Model, resource_type: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """The permc resource of a row: ``{"type", "id", "attributes"}``, the id read
    through ``fields["id"]`` (the primary key when absent) as text."""
    idv = _read(obj, fields["id"].split("__")) if "id" in fields else obj.pk
    return {"type": resource_type, "id": "" if idv is None else str(idv), "attributes": resource_attributes(obj, fields)}


def _read(obj: Any, parts: list[str]) -> Any:
    for i, part in enumerate(parts):
        if obj is None:
            return None
        model_field = None
        try:
            model_field = obj._meta.get_field(part) if part != "pk" else obj._meta.pk
        except (FieldDoesNotExist, AttributeError):
            pass
        if model_field is not None and model_field.is_relation and (model_field.one_to_many or model_field.many_to_many):
            rest = parts[i + 1 :]
            return [v for v in (_read(r, rest) for r in getattr(obj, model_field.get_accessor_name() if model_field.auto_created else part).all()) if v is not None]
        try:
            obj = getattr(obj, part)
        except models.ObjectDoesNotExist:
            return None
    if isinstance(obj, models.Model):
        obj = obj.pk
    return obj
