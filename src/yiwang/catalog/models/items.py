"""Service-item catalogue (事项). First cut: implementation items with the core GB/T 39046 fields."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.accounts.models import AssuranceLevel
from yiwang.core.models import Organisation, Region, TimeStampedModel


class ItemType(models.TextChoices):
    """事项类型 (GB/T 39046 Appendix A)."""

    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    COERCION = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    PAYMENT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class ExerciseLevel(models.TextChoices):
    """行使层级."""

    NATIONAL = "1", _("国家级")
    PROVINCIAL = "2", _("省级")
    MUNICIPAL = "3", _("市级")
    COUNTY = "4", _("县级")
    TOWNSHIP = "5", _("乡镇/街道级")
    VILLAGE = "6", _("村/社区级")
    GRADED = "7", _("分级管理")


class ServiceObject(models.TextChoices):
    """服务对象."""

    NATURAL_PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    INSTITUTION = "3", _("事业法人")
    SOCIAL_ORGANISATION = "4", _("社会组织法人")
    AUTHORITY = "5", _("行政机关")
    OTHER = "6", _("其他组织")


class HandlingForm(models.TextChoices):
    """办理形式."""

    WINDOW = "1", _("窗口办理")
    PC = "2", _("电脑端网上办理")
    MOBILE = "3", _("移动端办理")
    EXPRESS = "4", _("快递申请")
    OTHER = "9", _("其他")


class OnlineDepthStep(models.TextChoices):
    """网办深度: the steps that can be done online."""

    CONSULT = "1", _("咨询")
    RECEIVE = "2", _("收件")
    PRE_REVIEW = "3", _("预审")
    ACCEPT = "4", _("受理")
    HANDLE = "5", _("办理")
    RESULT_FEEDBACK = "6", _("结果信息反馈")
    LICENCE_FEEDBACK = "7", _("电子证照反馈")
    OTHER = "8", _("其他")


FULL_ONLINE_STEPS = {"2", "3", "4", "5", "6", "7"}


class CaseKind(models.TextChoices):
    """办件类型."""

    INSTANT = "1", _("即办件")
    COMMITMENT = "2", _("承诺件")
    OTHER = "9", _("其他")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤销")


class ServiceItem(TimeStampedModel):
    """事项 An implementation item (实施清单) as published by one implementing body.

    ``version`` increases on every publication; cases store a snapshot of the guide they were
    filed under, so later edits never change what an applicant applied for.
    """

    name = models.CharField(max_length=200)
    base_code = models.CharField(max_length=12, db_index=True, help_text=_("基本编码"))
    implementation_code = models.CharField(max_length=31, unique=True, help_text=_("实施编码"))
    item_type = models.CharField(max_length=2, choices=ItemType.choices)
    exercise_level = models.CharField(max_length=1, choices=ExerciseLevel.choices)
    implementing_body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="service_items"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="service_items")
    legal_basis = models.TextField(help_text=_("设定依据"))
    conditions = models.TextField(blank=True, help_text=_("受理条件"))
    process_description = models.TextField(blank=True, help_text=_("办理流程"))
    statutory_limit_days = models.PositiveIntegerField(help_text=_("法定办结时限（工作日）"))
    committed_limit_days = models.PositiveIntegerField(help_text=_("承诺办结时限（工作日）"))
    limit_note = models.CharField(max_length=300, blank=True)
    fee_required = models.BooleanField(default=False)
    fee_description = models.TextField(blank=True, help_text=_("收费标准"))
    fee_basis = models.TextField(blank=True, help_text=_("收费依据"))
    visits_required = models.PositiveSmallIntegerField(default=0, help_text=_("到办事现场次数"))
    handling_forms = models.JSONField(default=list, help_text=_("办理形式 codes"))
    online_depth = models.JSONField(default=list, help_text=_("网办深度 codes"))
    service_objects = models.JSONField(default=list, help_text=_("服务对象 codes"))
    case_kind = models.CharField(max_length=1, choices=CaseKind.choices, default=CaseKind.COMMITMENT)
    required_assurance_level = models.PositiveSmallIntegerField(
        choices=AssuranceLevel.choices, default=AssuranceLevel.PRIMARY
    )
    result_name = models.CharField(max_length=200, blank=True, help_text=_("审批结果名称"))
    place = models.CharField(max_length=300, blank=True, help_text=_("办理地点"))
    office_hours = models.CharField(max_length=200, blank=True, help_text=_("办理时间"))
    consult_phone = models.CharField(max_length=60, blank=True)
    supervise_phone = models.CharField(max_length=60, blank=True)
    online_apply = models.BooleanField(default=True, help_text=_("是否网办"))
    appointment_supported = models.BooleanField(default=False)
    online_payment_supported = models.BooleanField(default=False)
    express_supported = models.BooleanField(default=False)
    form_fields = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            '申请表字段: [{"name", "label", "type": text|textarea|date|number|select, "required", "choices"}]'
        ),
    )
    status = models.CharField(
        max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    keywords = models.CharField(
        max_length=300, blank=True, help_text=_("检索关键词/俗称，空格分隔，e.g. 低保 个体户 开店")
    )
    search_text = models.TextField(blank=True, editable=False, help_text=_("分词 + 拼音 + 首字母"))
    name_pinyin = models.CharField(
        max_length=600, blank=True, editable=False, help_text=_("名称全拼（无声调）")
    )
    name_initials = models.CharField(
        max_length=200, blank=True, editable=False, help_text=_("名称拼音首字母")
    )
    application_count = models.PositiveIntegerField(default=0, help_text=_("popularity for ranking"))

    class Meta:
        ordering = ["implementing_body__name", "name"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(committed_limit_days__lte=models.F("statutory_limit_days")),
                name="catalog_committed_within_statutory",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_fully_online(self) -> bool:
        return FULL_ONLINE_STEPS.issubset(set(self.online_depth))


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质/电子")


class Material(TimeStampedModel):
    """申请材料 A material an item asks for."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("填报须知/要求"))
    source = models.CharField(max_length=200, blank=True, help_text=_("来源渠道, e.g. 申请人自备 / 公安机关"))
    mandatory = models.BooleanField(default=True)
    originals = models.PositiveSmallIntegerField(default=0, help_text=_("原件份数"))
    copies = models.PositiveSmallIntegerField(default=0, help_text=_("复印件份数"))
    material_form = models.CharField(
        max_length=10, choices=MaterialForm.choices, default=MaterialForm.ELECTRONIC
    )
    blank_form = models.FileField(upload_to="catalog/blank_forms/", blank=True)
    sample = models.FileField(upload_to="catalog/samples/", blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order", "pk"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.name
