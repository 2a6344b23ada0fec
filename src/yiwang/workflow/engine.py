"""A thin layer over SpiffWorkflow: parse definitions, run engine steps, (de)serialise state.

BPMN lanes name the staff role that does a user task; a multi-instance task's ``department`` item
names the organisation (by credit code) for parallel approval across departments (并联审批/会签).
Business rule tasks call DMN decision tables (``spiffworkflow:calledDecisionId``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


class DefinitionError(ValueError):
    """The BPMN/DMN cannot be parsed or has no such process."""


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    element_id: str
    title: str
    role: str
    department: str | None
    data: dict[str, Any]
    properties: dict[str, str]


@functools.lru_cache(maxsize=64)
def _parsed(bpmn_xml: str, dmn_xml: str, process_id: str) -> tuple[Any, Any]:
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_str(bpmn_xml.encode())
        if dmn_xml:
            parser.add_dmn_str(dmn_xml.encode())
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except Exception as exc:  # the parser raises many kinds (lxml, validation, key errors)
        raise DefinitionError(str(exc)[:500]) from exc


def validate(bpmn_xml: str, dmn_xml: str, process_id: str) -> None:
    _parsed(bpmn_xml, dmn_xml, process_id)


def start(bpmn_xml: str, dmn_xml: str, process_id: str, data: dict[str, Any]) -> BpmnWorkflow:
    spec, subprocesses = _parsed(bpmn_xml, dmn_xml, process_id)
    workflow = BpmnWorkflow(spec, subprocesses)
    first = workflow.get_tasks(state=TaskState.READY)
    for task in first:
        task.data.update(data)
    workflow.do_engine_steps()
    return workflow


def dumps(workflow: BpmnWorkflow) -> str:
    state: str = _serializer.serialize_json(workflow)
    return state


def loads(state: str) -> BpmnWorkflow:
    workflow: BpmnWorkflow = _serializer.deserialize_json(state)
    return workflow


def ready_user_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    ready = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        spec = task.task_spec
        department = task.data.get("department")
        ready.append(
            ReadyTask(
                task_id=str(task.id),
                element_id=str(spec.bpmn_id),
                title=str(spec.bpmn_name or spec.bpmn_id),
                role=str(spec.lane or ""),
                department=str(department) if department else None,
                data=dict(task.data),
                properties=dict((getattr(spec, "extensions", None) or {}).get("properties") or {}),
            )
        )
    return ready


def complete(workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> None:
    task = _task(workflow, task_id)
    if task.state != TaskState.READY:
        raise WorkflowException("task is not ready")
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


def _task(workflow: BpmnWorkflow, task_id: str) -> Task:
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if str(task.id) == task_id:
            return task
    raise WorkflowException("no such ready task")


@dataclass(frozen=True)
class Decision:
    task_id: str
    element_id: str
    decision_id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    matched_rules: list[dict[str, str]]


def decisions(workflow: BpmnWorkflow) -> list[Decision]:
    """Every completed business-rule task with its inputs, outputs and the rules that matched."""
    found = []
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        engine = getattr(task.task_spec, "dmnEngine", None)
        if engine is None:
            continue
        table = engine.decision_table
        inputs = {
            str(item.label or item.expression): _evaluate_input(task, str(item.expression))
            for item in table.inputs
        }
        rules = engine.decide(task)
        if str(table.hit_policy).upper() != "COLLECT":
            rules = rules[:1]  # UNIQUE/FIRST: the first matching rule is the one that decided
        outputs = {str(output.name): task.data.get(str(output.name)) for output in table.outputs}
        found.append(
            Decision(
                task_id=str(task.id),
                element_id=str(task.task_spec.bpmn_id),
                decision_id=str(getattr(table, "id", "")),
                inputs=inputs,
                outputs=outputs,
                matched_rules=[
                    {"id": str(rule.id), "description": str(rule.description or "")} for rule in rules
                ],
            )
        )
    return found


def _evaluate_input(task: Task, expression: str) -> Any:
    try:
        return task.workflow.script_engine.evaluate(task, expression)
    except Exception:  # an input that cannot be evaluated is recorded as missing
        return None


def data_of(workflow: BpmnWorkflow) -> dict[str, Any]:
    return dict(workflow.data)
