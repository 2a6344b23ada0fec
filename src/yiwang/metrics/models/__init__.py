"""Models of this bounded context (one module per aggregate, re-exported here)."""

from yiwang.metrics.models.aggregates import COUNTERS, CaseAggregate, CaseAggregateMonth, CaseFact, DirtyCase
from yiwang.metrics.models.screen import DisplayKey

__all__ = ["COUNTERS", "CaseAggregate", "CaseAggregateMonth", "CaseFact", "DirtyCase", "DisplayKey"]
