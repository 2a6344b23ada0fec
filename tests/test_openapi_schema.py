"""The OpenAPI document a generated client can trust (issue 15).

- every schema name belongs to one Python class (django-ninja keys components by class name, so two
  classes with one name silently share one component and one endpoint is documented with the
  other's fields);
- each component carries the fields of the class it names;
- every error status is documented with the one error shape;
- ``servers`` follows the host the document was asked from.
"""

from __future__ import annotations

import json
import re
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from pydantic import BaseModel

from yiwang.api import api

# ninja's wrappers around an operation's inputs and output; never a component of their own
NINJA_WRAPPERS = {"NinjaResponseSchema", "BodyParams", "PathParams", "QueryParams", "FileParams"}


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _operations() -> Iterator[tuple[str, Any]]:
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                yield f"{'/'.join(operation.methods)} {bound.prefix}{path}", operation


def _reachable_models() -> dict[str, set[type[BaseModel]]]:
    """Every pydantic model an operation takes or returns, nested ones included, by name."""
    by_name: dict[str, set[type[BaseModel]]] = defaultdict(set)
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = []
    for _label, operation in _operations():
        for model in operation.response_models.values():
            if isinstance(model, type) and issubclass(model, BaseModel):
                todo.append(model)
        todo.extend(operation.models)
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        if model.__name__ not in NINJA_WRAPPERS and not model.__name__.startswith("Ninja"):
            by_name[model.__name__].add(model)
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return by_name


def _component_name(model: type[BaseModel]) -> str:
    return model.__name__


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="api/v1/"), cls=DjangoJSONEncoder))


def test_every_schema_name_belongs_to_one_class():
    collisions = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
        for name, models in _reachable_models().items()
        if len(models) > 1
    }
    assert collisions == {}, f"schema names used by more than one class: {collisions}"


def test_each_component_has_the_fields_of_its_class(document):
    components = document["components"]["schemas"]
    problems = []
    for name, models in _reachable_models().items():
        (model,) = models if len(models) == 1 else (next(iter(models)),)
        if name not in components:
            continue  # an enum-only or inlined model (a flattened query model, say)
        documented = set(components[name].get("properties", {}))
        fields = {f.alias or key for key, f in model.model_fields.items()}
        computed = set(model.model_computed_fields)
        if not fields <= documented <= fields | computed:
            problems.append(f"{name}: documented {sorted(documented)}, class has {sorted(fields)}")
    assert problems == []


def test_each_operation_returns_the_component_of_its_response_class(document):
    problems = []
    paths = document["paths"]
    for label, operation in _operations():
        method, path = label.split(" ", 1)
        doc_path = re.sub(r"{[^}:]+:", "{", re.sub("/+", "/", f"/api/v1/{path}"))
        for status, wrapper in operation.response_models.items():
            if not (isinstance(wrapper, type) and issubclass(wrapper, BaseModel)):
                continue
            inner = wrapper.model_fields["response"].annotation
            if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
                continue
            for one in method.split("/"):
                entry = paths[doc_path][one.lower()]["responses"][str(status)]
                schema = entry["content"]["application/json"]["schema"]
                ref = schema.get("$ref", "")
                if ref != f"#/components/schemas/{_component_name(inner)}":
                    problems.append(f"{label} {status}: {schema} is not {inner.__name__}")
    assert problems == []


def test_seal_verification_is_documented_with_its_own_fields(document):
    operation = document["paths"]["/api/v1/seals/verify"]["post"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "signatures" in component["properties"]
    assert "package_id" not in component["properties"]


def test_every_operation_documents_its_errors_with_the_one_shape(document):
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message", "fields"}
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {status for status in responses if status.startswith("4")}
            for status in errors:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
            expected = set()
            if operation.get("security"):
                expected |= {"401", "403"}
            if "{" in path:
                expected.add("404")
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
                expected |= {"413", "415"}
            if not expected <= errors:
                missing.append(f"{method.upper()} {path}: {sorted(expected - errors)}")
    assert missing == []


@pytest.mark.django_db
def test_servers_follow_the_host_the_document_was_asked_from():
    response = Client().get("/api/v1/openapi.json", HTTP_HOST="127.0.0.1:8123")
    assert response.json()["servers"] == [{"url": "http://127.0.0.1:8123"}]
    response = Client().get("/api/v1/openapi.json", HTTP_HOST="localhost:9000", secure=True)
    assert response.json()["servers"] == [{"url": "https://localhost:9000"}]
    # the paths carry the /api/v1 prefix, so server URL + path is the endpoint
    assert "/api/v1/seals/verify" in response.json()["paths"]


def test_every_extra_error_entry_names_an_operation(document):
    from yiwang.api import EXTRA_ERRORS

    for method, path in EXTRA_ERRORS:
        assert method in document["paths"].get(f"/api/v1{path}", {}), (method, path)
