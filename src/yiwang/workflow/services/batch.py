"""Batch actions (批量操作): one action over many work items, each item in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.workflow.errors import WorkflowErrorCode
from yiwang.workflow.models import WorkItem
from yiwang.workflow.services.work_items import approval_result, claim, complete, get_work_item, release

BATCH_ACTIONS = ("claim", "release", "approve")


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one work item in a batch: each item is its own transaction."""

    item: WorkItem | None
    public_id: str
    ok: bool
    message: str
    code: str = ""


def batch(action: str, public_ids: list[str], *, user: User, comment: str = "") -> list[BatchResult]:
    """批量签收 / 批量释放 / 批量审批: run one action over many work items.

    Each item runs through the same service function as a single action, in its own transaction,
    so one refusal (taken by a colleague, not batch-approvable, ...) never undoes the others; the
    result for every item is reported.
    """
    if action not in BATCH_ACTIONS:
        raise DomainError(WorkflowErrorCode.BATCH_NOT_ALLOWED, "不支持的批量操作", {"action": [action]})
    results: list[BatchResult] = []
    for public_id in dict.fromkeys(str(p) for p in public_ids):
        item: WorkItem | None = None
        try:
            item = get_work_item(user, public_id)
            if action == "claim":
                claim(item, user=user)
                message = "已签收"
            elif action == "release":
                release(item, user=user)
                message = "已释放"
            else:
                if not item.allow_batch:
                    raise DomainError(
                        WorkflowErrorCode.BATCH_NOT_ALLOWED, "该环节不允许批量审批，请逐件办理", status=409
                    )
                complete(item, user=user, data=approval_result(item, approve=True, comment=comment or "同意"))
                message = "已审批通过"
        except DomainError as exc:
            results.append(
                BatchResult(item=item, public_id=public_id, ok=False, message=exc.message, code=exc.code)
            )
        else:
            results.append(BatchResult(item=item, public_id=public_id, ok=True, message=message))
    return results
