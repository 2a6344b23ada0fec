"""情形引导 Scenario navigation: questions per item, and what applies for a set of answers.

:func:`applicable` is the one rule, used by the guide page, the application form and the case
service alike.  Answers are ``{question key: option value}``, e.g. ``{"agent": "yes"}``; in a URL
they travel as ``s_<key>=<value>`` (see :func:`answers_from_params`).

State changes (:func:`define_scenarios`) follow the house rule: validated, atomic, audited, and
only by a service manager covering the item's region (``actor=None`` is the system: demo loader,
imports).  An item's scenarios are edited while the item is a draft or withdrawn, like the rest
of its guide.

Scenarios are part of the versioned item content: a revision draft (修订稿) gets a copy
(:func:`copy_scenarios`, options pointing to the revision's own materials), the manager edits the
copy, the guide snapshot (hence every :class:`ServiceItemVersion`, the field-level diff and the
snapshot a case keeps) contains them, and publishing the revision replaces the published scenarios.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from yiwang.accounts.models import User
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    ItemStatus,
    Material,
    ScenarioCondition,
    ScenarioOption,
    ScenarioQuestion,
    ServiceItem,
)
from yiwang.catalog.models.scenarios import KEY_PATTERN
from yiwang.catalog.permissions import require_manager
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError

PARAM_PREFIX = "s_"
MAX_QUESTIONS = 20
MAX_OPTIONS = 12


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class QuestionView:
    key: str
    text: str
    help_text: str
    options: list[OptionView]
    answer: str | None

    @property
    def param(self) -> str:
        return PARAM_PREFIX + self.key


@dataclass
class Applicable:
    """What applies for one set of answers."""

    questions: list[QuestionView]
    answers: dict[str, str]
    complete: bool
    conditions: list[ScenarioCondition] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    excluded_materials: list[Material] = field(default_factory=list)

    @property
    def has_questions(self) -> bool:
        return bool(self.questions)

    @property
    def material_ids(self) -> set[str]:
        return {str(material.public_id) for material in self.materials}

    @property
    def required_material_ids(self) -> set[str]:
        """The materials that must be supplied: mandatory ones and those a chosen option added."""
        return {str(material.public_id) for material in self.materials if material.mandatory}

    def answer_labels(self) -> list[dict[str, str]]:
        """The answered questions as (question, answer) text, for the case record."""
        rows = []
        for question in self.questions:
            chosen = next((option for option in question.options if option.selected), None)
            if chosen is not None:
                rows.append(
                    {
                        "key": question.key,
                        "question": question.text,
                        "value": chosen.value,
                        "answer": chosen.label,
                    }
                )
        return rows


def _questions(item: ServiceItem) -> list[ScenarioQuestion]:
    cached = getattr(item, "_scenario_questions_cache", None)
    if cached is not None:
        return list(cached)
    questions = list(
        ScenarioQuestion.objects.filter(item=item)
        .order_by("order", "pk")
        .prefetch_related(
            "options__adds_materials",
            "options__removes_materials",
            "options__adds_conditions",
            "options__removes_conditions",
        )
    )
    item._scenario_questions_cache = questions  # type: ignore[attr-defined]
    return questions


def answers_from_params(params: Mapping[str, Any]) -> dict[str, str]:
    """``s_<key>=<value>`` request parameters → answers (other parameters are ignored)."""
    answers = {}
    for name in params:
        if isinstance(name, str) and name.startswith(PARAM_PREFIX):
            value = params.get(name)
            if isinstance(value, str) and value:
                answers[name[len(PARAM_PREFIX) :][:40]] = value[:40]
    return answers


def applicable(item: ServiceItem, answers: Mapping[str, str] | None = None) -> Applicable:
    """适用条件和材料 The conditions and materials that apply to ``item`` for ``answers``.

    Unknown keys and values are ignored.  While a question is unanswered (``complete`` is False)
    the result lists every material that *could* apply (nothing is ruled out yet), so the guide
    never hides a material the applicant might need.  With every question answered:
    ``materials`` = (unconditional ∪ added by a chosen option) − removed by a chosen option, in the
    item's material order; the same for the situational conditions.  A material that a chosen option
    adds is required in that situation (委托代理人办理 → 授权委托书 必需), whatever its own flag, which
    only says whether it is required when it applies without any answer.
    """
    answers = dict(answers or {})
    questions = _questions(item)
    all_materials = list(item.materials.all())
    all_conditions = (
        list(ScenarioCondition.objects.filter(item=item).order_by("order", "pk")) if questions else []
    )
    views: list[QuestionView] = []
    chosen: list[ScenarioOption] = []
    clean: dict[str, str] = {}
    conditional_materials: set[int] = set()
    conditional_conditions: set[int] = set()
    for question in questions:
        options = list(question.options.all())
        answer = answers.get(question.key)
        match = next((option for option in options if option.value == answer), None)
        if match is not None:
            chosen.append(match)
            clean[question.key] = match.value
        for option in options:
            conditional_materials.update(m.pk for m in option.adds_materials.all())
            conditional_conditions.update(c.pk for c in option.adds_conditions.all())
        views.append(
            QuestionView(
                key=question.key,
                text=question.text,
                help_text=question.help_text,
                options=[OptionView(o.value, o.label, o is match) for o in options],
                answer=match.value if match else None,
            )
        )
    complete = len(clean) == len(questions)
    added_m = {m.pk for option in chosen for m in option.adds_materials.all()}
    removed_m = {m.pk for option in chosen for m in option.removes_materials.all()}
    added_c = {c.pk for option in chosen for c in option.adds_conditions.all()}
    removed_c = {c.pk for option in chosen for c in option.removes_conditions.all()}
    if complete:
        materials = [
            m
            for m in all_materials
            if (m.pk not in conditional_materials or m.pk in added_m) and m.pk not in removed_m
        ]
        conditions = [
            c
            for c in all_conditions
            if (c.pk not in conditional_conditions or c.pk in added_c) and c.pk not in removed_c
        ]
    else:
        materials = [m for m in all_materials if m.pk not in removed_m]
        conditions = [c for c in all_conditions if c.pk not in removed_c]
    kept = {m.pk for m in materials}
    materials = [_required(m) if m.pk in added_m and not m.mandatory else m for m in materials]
    return Applicable(
        questions=views,
        answers=clean,
        complete=complete,
        conditions=conditions,
        materials=materials,
        excluded_materials=[m for m in all_materials if m.pk not in kept],
    )


def _required(material: Material) -> Material:
    """A copy marked required (the cached item's own material is left as it is)."""
    marked = copy.copy(material)
    marked.mandatory = True
    return marked


def resolve_answers(item: ServiceItem, answers: Mapping[str, Any] | None) -> Applicable:
    """Check answers given with an application: every question answered with one of its options.

    Raises ``DomainError(scenario_answers_invalid)`` with one entry per bad or missing answer.
    """
    raw = dict(answers or {})
    result = applicable(item, {str(k): str(v) for k, v in raw.items()})
    errors: dict[str, list[str]] = {}
    known = {question.key for question in result.questions}
    for key in raw:
        if str(key) not in known:
            errors[f"scenario.{key}"] = ["未知的情形问题"]
    for question in result.questions:
        if question.answer is None:
            given = raw.get(question.key)
            errors[f"scenario.{question.key}"] = [
                f"请回答：{question.text}" if given in (None, "") else f"“{given}”不是该问题的选项"
            ]
    if errors:
        raise DomainError(CatalogErrorCode.SCENARIO_ANSWERS_INVALID, "情形问题未回答完整或答案不正确", errors)
    return result


# --- definition (state change) -------------------------------------------------------------------
class OptionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=1, max_length=100)
    adds_materials: list[str] = Field(default_factory=list, description="材料名称")
    removes_materials: list[str] = Field(default_factory=list)
    adds_conditions: list[str] = Field(default_factory=list, description="情形条件文字")
    removes_conditions: list[str] = Field(default_factory=list)


class QuestionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=KEY_PATTERN)
    text: str = Field(min_length=1, max_length=200)
    help_text: str = Field(default="", max_length=300)
    options: list[OptionSpec] = Field(min_length=2, max_length=MAX_OPTIONS)


def _validate_specs(
    item: ServiceItem, questions: Sequence[Mapping[str, Any]], conditions: Sequence[str]
) -> tuple[list[QuestionSpec], dict[str, Material], list[str]]:
    errors: dict[str, list[str]] = {}
    indexed: list[tuple[int, QuestionSpec]] = []
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = [f"最多 {MAX_QUESTIONS} 个问题"]
    for index, raw in enumerate(questions):
        try:
            indexed.append((index, QuestionSpec.model_validate(raw)))
        except PydanticValidationError as exc:
            errors[f"questions.{index}"] = [
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            ]
    materials = {material.name: material for material in item.materials.all()}
    condition_texts = [text.strip() for text in conditions if text and text.strip()]
    if len(condition_texts) != len(set(condition_texts)):
        errors["conditions"] = ["情形条件重复"]
    specs = [spec for _, spec in indexed]
    keys = [spec.key for spec in specs]
    if len(keys) != len(set(keys)):
        errors["questions"] = ["问题标识重复"]
    for q_index, spec in indexed:
        values = [option.value for option in spec.options]
        if len(values) != len(set(values)):
            errors[f"questions.{q_index}.options"] = ["选项标识重复"]
        for o_index, option in enumerate(spec.options):
            where = f"questions.{q_index}.options.{o_index}"
            unknown = [
                name for name in (*option.adds_materials, *option.removes_materials) if name not in materials
            ]
            if unknown:
                errors.setdefault(where, []).append(f"事项没有这些材料：{'、'.join(unknown)}")
            both = set(option.adds_materials) & set(option.removes_materials)
            if both:
                errors.setdefault(where, []).append(f"同一选项不能既增加又去掉：{'、'.join(sorted(both))}")
            missing = [
                text
                for text in (*option.adds_conditions, *option.removes_conditions)
                if text not in condition_texts
            ]
            if missing:
                errors.setdefault(where, []).append("引用的情形条件未定义")
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_SCENARIO, "情形引导设置不正确", errors)
    return specs, materials, condition_texts


def define_scenarios(
    item: ServiceItem,
    *,
    actor: User | None,
    questions: Sequence[Mapping[str, Any]],
    conditions: Sequence[str] = (),
) -> list[ScenarioQuestion]:
    """设置情形引导 Replace the item's questions and situational conditions.

    ``questions``: ``[{"key", "text", "help_text"?, "options": [{"value", "label",
    "adds_materials": [material names], "removes_materials": [...], "adds_conditions": [condition
    texts], "removes_conditions": [...]}]}]``; ``conditions``: the situational condition texts.
    Refused for a published item (its guide is frozen): withdraw it or edit its revision.
    """
    require_manager(actor, item.region)
    if item.status == ItemStatus.PUBLISHED and actor is not None:
        raise Conflict(
            "已发布的事项不能修改情形引导，请新建修订稿或先撤销发布", code=CatalogErrorCode.ITEM_NOT_EDITABLE
        )
    if item.status in (ItemStatus.SUBMITTED, ItemStatus.APPROVED) and actor is not None:
        raise Conflict(
            f"事项处于“{item.get_status_display()}”状态，不能修改情形引导",
            code=CatalogErrorCode.ITEM_NOT_EDITABLE,
        )
    specs, materials, condition_texts = _validate_specs(item, questions, conditions)
    with transaction.atomic():
        ScenarioQuestion.objects.filter(item=item).delete()
        ScenarioCondition.objects.filter(item=item).delete()
        by_text = {
            text: ScenarioCondition.objects.create(item=item, text=text, order=index)
            for index, text in enumerate(condition_texts, start=1)
        }
        created = []
        for q_order, spec in enumerate(specs, start=1):
            question = ScenarioQuestion.objects.create(
                item=item, key=spec.key, text=spec.text, help_text=spec.help_text, order=q_order
            )
            for o_order, option_spec in enumerate(spec.options, start=1):
                option = ScenarioOption.objects.create(
                    question=question, value=option_spec.value, label=option_spec.label, order=o_order
                )
                option.adds_materials.set([materials[name] for name in option_spec.adds_materials])
                option.removes_materials.set([materials[name] for name in option_spec.removes_materials])
                option.adds_conditions.set([by_text[text] for text in option_spec.adds_conditions])
                option.removes_conditions.set([by_text[text] for text in option_spec.removes_conditions])
            created.append(question)
        audit.record(
            "catalog.scenarios.defined",
            actor=actor,
            obj=item,
            detail={"questions": [spec.key for spec in specs], "conditions": len(condition_texts)},
        )
    if hasattr(item, "_scenario_questions_cache"):
        del item._scenario_questions_cache
    return created


def scenario_definition(item: ServiceItem) -> dict[str, Any]:
    """The item's scenarios in the shape :func:`define_scenarios` accepts (for export and the API)."""
    questions = _questions(item)
    conditions = list(ScenarioCondition.objects.filter(item=item).order_by("order", "pk"))
    return {
        "conditions": [condition.text for condition in conditions],
        "questions": [
            {
                "key": question.key,
                "text": question.text,
                "help_text": question.help_text,
                "options": [
                    {
                        "value": option.value,
                        "label": option.label,
                        "adds_materials": [m.name for m in option.adds_materials.all()],
                        "removes_materials": [m.name for m in option.removes_materials.all()],
                        "adds_conditions": [c.text for c in option.adds_conditions.all()],
                        "removes_conditions": [c.text for c in option.removes_conditions.all()],
                    }
                    for option in question.options.all()
                ],
            }
            for question in questions
        ],
    }


def copy_scenarios(source: ServiceItem, target: ServiceItem, material_map: Mapping[int, Material]) -> None:
    """Make ``target``'s scenarios an exact copy of ``source``'s (replacing any it had).

    ``material_map`` maps each of ``source``'s material pks to the corresponding material of
    ``target`` (a revision's copy, or the published material a revision's material is applied to).
    Used inside the caller's transaction by :func:`yiwang.catalog.services.items.start_revision` and
    when a revision is published.
    """
    ScenarioQuestion.objects.filter(item=target).delete()
    ScenarioCondition.objects.filter(item=target).delete()
    conditions = {
        condition.pk: ScenarioCondition.objects.create(
            item=target, text=condition.text, order=condition.order
        )
        for condition in ScenarioCondition.objects.filter(item=source).order_by("order", "pk")
    }
    for question in _questions(source):
        copy = ScenarioQuestion.objects.create(
            item=target,
            key=question.key,
            text=question.text,
            help_text=question.help_text,
            order=question.order,
        )
        for option in question.options.all():
            new = ScenarioOption.objects.create(
                question=copy, value=option.value, label=option.label, order=option.order
            )
            new.adds_materials.set(
                [material_map[m.pk] for m in option.adds_materials.all() if m.pk in material_map]
            )
            new.removes_materials.set(
                [material_map[m.pk] for m in option.removes_materials.all() if m.pk in material_map]
            )
            new.adds_conditions.set([conditions[c.pk] for c in option.adds_conditions.all()])
            new.removes_conditions.set([conditions[c.pk] for c in option.removes_conditions.all()])
    if hasattr(target, "_scenario_questions_cache"):
        del target._scenario_questions_cache
