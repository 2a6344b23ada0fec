"""Schemes: validation of indicators and weights, publishing, versions, audit; only supervisors."""

from __future__ import annotations

import pytest

from yiwang.assessment import services
from yiwang.assessment.models import AssessmentScheme, SchemeStatus
from yiwang.assessment.tests.factories import published_scheme
from yiwang.core.audit import AuditEvent
from yiwang.core.errors import DomainError

pytestmark = pytest.mark.django_db


def data(*indicators: services.IndicatorData) -> services.SchemeData:
    return services.SchemeData(name="方案", indicators=list(indicators))


def test_weights_must_sum_to_100_to_publish(world, test_sources):
    scheme = services.create_scheme(
        world.supervisor, data(services.IndicatorData(source="t_ontime", weight="60.5", floor=50, target=100))
    )
    with pytest.raises(DomainError) as refused:
        services.publish_scheme(world.supervisor, scheme)
    assert refused.value.code == "assessment_weights" and refused.value.status == 400
    assert "60.5" in refused.value.message


def test_indicator_fields_are_checked(world, test_sources):
    with pytest.raises(DomainError) as refused:
        services.create_scheme(
            world.supervisor,
            data(
                services.IndicatorData(source="t_ontime", weight=0, floor=50, target=100),
                services.IndicatorData(source="t_overdue", weight=40, floor=0, target=20),  # lower is better
                services.IndicatorData(source="t_ontime", weight=10, method="threshold"),
            ),
        )
    fields = refused.value.fields
    assert refused.value.code == "assessment_invalid_scheme"
    assert {
        "indicators.0.weight",
        "indicators.1.target",
        "indicators.2.source",
        "indicators.2.threshold",
    } <= set(fields)
    # the direction can be overridden: then floor 0 → target 20 is fine
    services.validate(
        data(services.IndicatorData(source="t_overdue", weight=40, floor=0, target=20, direction="higher"))
    )


def test_unknown_source(world, test_sources):
    with pytest.raises(DomainError) as refused:
        services.create_scheme(world.supervisor, data(services.IndicatorData(source="nope", weight=100)))
    assert refused.value.code == "assessment_unknown_source"
    assert "indicators.0.source" in refused.value.fields


def test_only_supervisors_manage(world, test_sources):
    with pytest.raises(DomainError) as refused:
        services.create_scheme(world.clerk_a, data())
    assert refused.value.status == 403


def test_versions_publish_retires_the_previous(world, test_sources):
    first = published_scheme(world)
    with pytest.raises(DomainError) as refused:
        services.update_scheme(world.supervisor, first, data())
    assert refused.value.code == "assessment_not_draft"
    second = services.new_version(world.supervisor, first)
    assert (second.version, second.family, second.status) == (2, first.family, SchemeStatus.DRAFT)
    assert [i.source for i in second.indicators.all()] == ["t_ontime", "t_overdue"]
    services.publish_scheme(world.supervisor, second)
    first.refresh_from_db()
    assert first.status == SchemeStatus.RETIRED
    assert AssessmentScheme.objects.get(pk=second.pk).status == SchemeStatus.PUBLISHED
    actions = set(
        AuditEvent.objects.filter(action__startswith="assessment.").values_list("action", flat=True)
    )
    assert {
        "assessment.scheme_created",
        "assessment.scheme_published",
        "assessment.scheme_versioned",
    } <= actions


def test_stale_edit(world, test_sources):
    scheme = services.create_scheme(world.supervisor, data())
    services.update_scheme(world.supervisor, scheme, data(), lock_version=0)
    with pytest.raises(DomainError) as refused:
        services.update_scheme(world.supervisor, scheme, data(), lock_version=0)
    assert refused.value.code == "assessment_stale"
