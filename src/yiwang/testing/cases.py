"""Factories for case tests: an organisation, a published item with materials, and named users."""

# factory_boy factories are typed as themselves, not as the model instances they return
# mypy: disable-error-code="arg-type,misc,return-value"

from __future__ import annotations

import itertools

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.accounts.models import AssuranceLevel, User
from yiwang.cases.models import Case
from yiwang.catalog.models import CaseKind, ItemStatus, Material, ServiceItem
from yiwang.core.models import Organisation
from yiwang.testing import people
from yiwang.testing.catalog import OrganisationFactory

PASSWORD = people.PASSWORD

_serial = itertools.count(1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_upload(name: str = "material.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"食品经营许可{n}")
    base_code = factory.Sequence(lambda n: f"00011{n:07d}")
    implementation_code = factory.LazyAttribute(
        lambda o: f"{o.implementing_body.credit_code}3{o.base_code.rjust(12, '0')}"
    )
    item_type = "01"
    exercise_level = "3"
    implementing_body = factory.SubFactory(OrganisationFactory)
    region = factory.LazyAttribute(lambda o: o.implementing_body.region)
    legal_basis = "《中华人民共和国食品安全法》第三十五条"
    conditions = "有与经营的食品品种、数量相适应的经营场所"
    statutory_limit_days = 20
    committed_limit_days = 10
    handling_forms = ["1", "2"]
    online_depth = ["1", "2", "3", "4", "5", "6"]
    service_objects = ["1", "2"]
    case_kind = CaseKind.COMMITMENT
    required_assurance_level = AssuranceLevel.PRIMARY
    result_name = "食品经营许可证"
    form_fields = [
        {"name": "shop_name", "label": "经营场所名称", "type": "text", "required": True},
        {"name": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
    ]
    status = ItemStatus.PUBLISHED
    version = 1

    @factory.post_generation
    def materials(self, create: bool, extracted: list[tuple[str, bool]] | None, **kwargs: object) -> None:
        if not create:
            return
        specs = (
            extracted
            if extracted is not None
            else [("营业执照", True), ("经营场所证明", True), ("委托书", False)]
        )
        for order, (name, mandatory) in enumerate(specs):
            Material.objects.create(
                item=self, name=name, mandatory=mandatory, originals=1, copies=1, order=order
            )


def make_citizen(
    username: str = "citizen", level: int = AssuranceLevel.PRIMARY, phone: str | None = None
) -> User:
    return people.make_citizen(username, level=level, phone=phone, phone_prefix="139", serial=_serial)


def make_staff(organisation: Organisation, username: str, roles: tuple[str, ...]) -> User:
    return people.make_staff(organisation, username, roles)


def make_document_seal(organisation: Organisation, seal_type: str = "approval") -> object:
    """An issued 行政审批专用章 (or another type) for ``organisation``, usable by the platform."""
    from yiwang.seals import services as seal_services

    n = next(_serial)
    manager = make_staff(organisation, f"seal_mgr{n}", ("service_manager",))
    admin = make_staff(organisation, f"seal_admin{n}", ("admin",))
    seal = seal_services.apply_for_seal(
        organisation=organisation, name="行政审批专用章", seal_type=seal_type, actor=manager
    )
    seal_services.review_seal(seal, actor=admin, approve=True)
    seal_services.make_seal(seal, actor=admin)
    seal_services.file_seal(seal, actor=admin)
    return seal_services.issue_seal(seal, actor=admin)


def submit(item: ServiceItem, applicant: User, **kwargs: object) -> object:
    """File an application with the item's mandatory materials through the service."""
    from yiwang.cases.services import submit_application

    files = {str(m.public_id): [pdf_upload()] for m in item.materials.all() if m.mandatory}
    return submit_application(
        applicant=applicant,
        item=item,
        form_data=kwargs.pop("form_data", {"shop_name": "小店"}),  # type: ignore[arg-type]
        files=kwargs.pop("files", files),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def submit_case(item: ServiceItem, applicant: User, **kwargs: object) -> Case:
    """File an application for ``item`` with every mandatory material (through the service)."""
    from yiwang.cases.services import submit_application

    files = {str(m.public_id): [pdf_upload()] for m in item.materials.filter(mandatory=True)}
    return submit_application(
        applicant=applicant,
        item=item,
        form_data={"shop_name": "小店"},
        files=files,
        **kwargs,  # type: ignore[arg-type]
    )
