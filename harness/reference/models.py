"""The configuration reference, written from the pydantic models themselves: every field's key path, type, default
and attribute docstring, found by walking field annotations from a root model. Walking (rather than listing
classes) keeps the reference whole wherever a settings class lives and whatever it is called."""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from harness.reference.markdown import Slugs, paragraphs

Model = type[BaseModel]


@dataclass(frozen=True)
class Root:
    """One file format: its heading, what the file is and who reads it, and the model a file of it validates as."""

    title: str
    about: str
    model: Model


@dataclass(frozen=True)
class Section:
    """One model where the walk first meets it: the key path a file writes its fields under."""

    model: Model
    path: str
    anchor: str


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _nested(annotation: object, path: str) -> Iterator[tuple[Model, str]]:
    """The models inside a field's annotation, each with the key path its fields take (`[]` for a list item,
    `.<key>` for a table value)."""
    if _is_model(annotation):
        yield typing.cast(Model, annotation), path
        return
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        yield from _nested(args[0], path)
    elif origin is list:
        yield from _nested(args[0], f"{path}[]")
    elif origin is dict:
        yield from _nested(args[1], f"{path}.<key>")
    else:
        for arg in args:
            yield from _nested(arg, path)


def sections(root: Model, slugs: Slugs) -> list[Section]:
    """Every model reachable from `root`, depth first in field order, each at the first path that reaches it."""
    found: dict[Model, Section] = {}

    def visit(model: Model, path: str) -> None:
        if model in found:
            return
        found[model] = Section(model, path, slugs.anchor(f"`{path}`" if path else model.__name__))
        for name, field in model.model_fields.items():
            for inner, inner_path in _nested(field.annotation, f"{path}.{name}" if path else name):
                visit(inner, inner_path)

    visit(root, "")
    return list(found.values())


def _constraint(item: object) -> str | None:
    """One constraint of `Field(...)` in words; None for what is no constraint a reader must meet."""
    match item:
        case annotated_types.Ge(ge=bound):
            return f"≥ {bound}"
        case annotated_types.Gt(gt=bound):
            return f"> {bound}"
        case annotated_types.Le(le=bound):
            return f"≤ {bound}"
        case annotated_types.Lt(lt=bound):
            return f"< {bound}"
        case annotated_types.MinLen(min_length=length):
            return f"at least {length} long"
        case annotated_types.MaxLen(max_length=length):
            return f"at most {length} long"
    pattern = getattr(item, "pattern", None)
    return f"matching `{pattern}`" if pattern else None


def _constraints(metadata: list[object]) -> list[str]:
    return [text for text in map(_constraint, metadata) if text]


class TypeNames:
    """Type annotations in words, with a link to the section of each model they hold."""

    def __init__(self, anchors: dict[Model, Section]) -> None:
        self._sections = anchors

    def name(self, annotation: object) -> str:
        if annotation is typing.Any:
            return "any JSON value"
        if annotation is types.NoneType:
            return "null"
        if _is_model(annotation):
            section = self._sections[typing.cast(Model, annotation)]
            return f"table ([`{section.path}`](#{section.anchor}))"
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return " \\| ".join(f'`"{member.value}"`' for member in annotation)
        if isinstance(annotation, type):
            return f"`{annotation.__name__}`"
        return self._generic(annotation)

    def _generic(self, annotation: object) -> str:
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is typing.Literal:
            return " \\| ".join(f"`{json.dumps(arg)}`" for arg in args)
        if origin is typing.Annotated:
            inner = self.name(args[0])
            limits = _constraints([m for info in args[1:] for m in getattr(info, "metadata", [info])])
            return f"{inner} ({', '.join(limits)})" if limits else inner
        if origin is list:
            item = self.name(args[0])
            return f"list of {'tables' + item.removeprefix('table') if _is_model(args[0]) else item}"
        if origin is dict:
            return f"table of {self.name(args[0])} → {self.name(args[1])}"
        if origin in (typing.Union, types.UnionType):
            return " or ".join(self.name(arg) for arg in args if arg is not types.NoneType)
        return f"`{annotation}`"


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True, validated_data={})
    if value is None:
        return "default: not set"
    if isinstance(value, BaseModel):
        return "default: its fields' defaults"
    if isinstance(value, enum.Enum):
        value = value.value
    return f"default `{json.dumps(value, ensure_ascii=False)}`"


def _field(name: str, field: FieldInfo, section: Section, names: TypeNames) -> list[str]:
    path = f"{section.path}.{name}" if section.path else name
    kind = names.name(field.annotation)
    limits = _constraints(list(field.metadata))
    head = " · ".join([f"`{path}`", kind + (f", {', '.join(limits)}" if limits else ""), _default(field)])
    body = paragraphs(field.description or "(undocumented)", indent="  ")
    return [f"- {head} \\", *body]


def render_root(root: Root, slugs: Slugs) -> tuple[str, list[str]]:
    """One file format's reference: a heading, what the file is, then a section per model with a line per field;
    and the heading's anchor."""
    anchor = slugs.anchor(root.title)
    lines = [f"## {root.title}", "", *paragraphs(root.about), ""]
    found = sections(root.model, slugs)
    names = TypeNames({section.model: section for section in found})
    for section in found:
        title = f"`{section.path}`" if section.path else section.model.__name__
        where = f"`{section.model.__module__}.{section.model.__qualname__}`"
        lines += [f"### {title}", "", *paragraphs(section.model.__dict__.get("__doc__") or ""), "", f"Model: {where}."]
        lines.append("")
        for name, field in section.model.model_fields.items():
            lines += _field(name, field, section, names)
        lines.append("")
    return anchor, lines
