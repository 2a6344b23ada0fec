"""Service-item catalogue (事项): implementation items (实施清单) with the GB/T 39046 fields, materials, fees."""

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
    """事项状态: 草稿 → 待审核 → 审核通过 → 已发布 → 已撤销 (see ``catalog.services``)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("审核通过")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤销")


class TongbanRange(models.TextChoices):
    """通办范围 (documented code table, docs/catalogue-coding.md): where an application may be filed."""

    NATIONWIDE = "1", _("全国通办")
    CROSS_PROVINCE = "2", _("跨省通办")
    PROVINCE = "3", _("省内通办")
    CITY = "4", _("市内通办")
    NONE = "9", _("不通办")


class SpecialProcedureKind(models.TextChoices):
    """特别程序种类 (GB/T 39046 Appendix A)."""

    EXTENSION = "1", _("延长审批")
    OTHER = "2", _("其他情况")


class ServiceItem(TimeStampedModel):
    """事项 An implementation item (实施清单) as published by one implementing body.

    ``version`` increases on every publication; cases store a snapshot of the guide they were
    filed under, so later edits never change what an applicant applied for.
    """

    name = models.CharField(max_length=200)
    base_item = models.ForeignKey(
        "catalog.BaseItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementations",
        help_text=_("基本目录事项"),
    )
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
        help_text=_("修订稿：所修订的已发布事项"),
    )
    base_code = models.CharField(max_length=12, db_index=True, help_text=_("基本编码"))
    implementation_code = models.CharField(max_length=31, db_index=True, help_text=_("实施编码"))
    item_type = models.CharField(max_length=2, choices=ItemType.choices)
    exercise_level = models.CharField(max_length=1, choices=ExerciseLevel.choices)
    implementing_body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="service_items"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="service_items")
    legal_basis = models.TextField(help_text=_("设定依据"))
    legal_basis_url = models.CharField(max_length=500, blank=True, help_text=_("设定依据链接"))
    authority_division = models.TextField(blank=True, help_text=_("权限划分"))
    exercise_content = models.TextField(blank=True, help_text=_("行使内容"))
    jurisdiction = models.TextField(blank=True, help_text=_("管辖范围"))
    conditions = models.TextField(blank=True, help_text=_("受理条件"))
    process_description = models.TextField(blank=True, help_text=_("办理流程"))
    joint_bodies = models.TextField(blank=True, help_text=_("联办机构"))
    intermediary_services = models.TextField(blank=True, help_text=_("中介服务"))
    quantity_limits = models.TextField(blank=True, help_text=_("数量限制"))
    special_procedures = models.JSONField(
        default=list, blank=True, help_text=_('特别程序: [{"kind": "1"|"2", "name", "limit_days", "note"}]')
    )
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
    commitment_approval = models.BooleanField(
        default=False, help_text=_("告知承诺制: may be approved on the applicant's written commitment")
    )
    required_assurance_level = models.PositiveSmallIntegerField(
        choices=AssuranceLevel.choices, default=AssuranceLevel.PRIMARY
    )
    result_name = models.CharField(max_length=200, blank=True, help_text=_("审批结果名称"))
    result_licence_type_code = models.CharField(
        max_length=21,
        blank=True,
        default="",
        help_text=_("结果电子证照类型代码：办结批准后自动签发该类证照；空为不出证"),
    )
    process_key = models.CharField(
        max_length=50,
        null=True,
        blank=True,
        help_text=_("办理流程定义（空则为标准流程 standard）"),
    )
    process_departments = models.JSONField(
        default=list,
        blank=True,
        help_text=_("并联审批会签部门的统一社会信用代码（parallel 流程）"),
    )
    result_sample = models.FileField(upload_to="catalog/result_samples/", blank=True, help_text=_("结果样本"))
    tongban_range = models.CharField(
        max_length=1, choices=TongbanRange.choices, default=TongbanRange.NONE, help_text=_("通办范围")
    )
    online_url = models.CharField(max_length=500, blank=True, help_text=_("网上办理地址"))
    faq = models.JSONField(default=list, blank=True, help_text=_('常见问题: [{"question", "answer"}]'))
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
    form_definition = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("电子表单定义（Form.io JSON，见 docs/forms.md）；form_fields 由它派生"),
    )
    status = models.CharField(
        max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, help_text=_("定时发布时间"))
    withdraw_at = models.DateTimeField(null=True, blank=True, help_text=_("定时撤销时间"))
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text=_("最近审核时间"))
    review_comment = models.TextField(blank=True, help_text=_("最近审核意见"))
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
            ),
            # One live row per implementation code; a revision draft (修订稿) shares its item's code.
            models.UniqueConstraint(
                fields=["implementation_code"],
                condition=models.Q(revision_of__isnull=True),
                name="catalog_unique_implementation_code",
            ),
            models.UniqueConstraint(fields=["revision_of"], name="catalog_one_revision_per_item"),
        ]
        indexes = [
            # The manager's item list, grouped by department then name (catalog.reads.ITEM_LIST_ORDER).
            models.Index(fields=["implementing_body", "name", "id"], name="catalog_item_list_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_fully_online(self) -> bool:
        return FULL_ONLINE_STEPS.issubset(set(self.online_depth))

    @property
    def is_revision(self) -> bool:
        """修订稿: a draft that will replace the published content of ``revision_of``."""
        return self.revision_of_id is not None


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质/电子")


class MaterialSourceKind(models.TextChoices):
    """材料来源方式: how the platform obtains a material (一证通办: never ask for what it holds)."""

    UPLOAD = "upload", _("申请人提交")
    LICENCE = "licence", _("电子证照")
    SHARED = "shared", _("共享数据")
    NOT_REQUIRED = "none", _("免于提交")


class Material(TimeStampedModel):
    """申请材料 A material an item asks for."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("填报须知/要求"))
    source = models.CharField(max_length=200, blank=True, help_text=_("来源渠道, e.g. 申请人自备 / 公安机关"))
    source_kind = models.CharField(
        max_length=10,
        choices=MaterialSourceKind.choices,
        default=MaterialSourceKind.UPLOAD,
        help_text=_("来源方式"),
    )
    licence_type_code = models.CharField(max_length=40, blank=True, help_text=_("电子证照类型代码"))
    shared_resource_code = models.CharField(max_length=60, blank=True, help_text=_("共享数据资源编码"))
    shared_fields = models.JSONField(
        default=list,
        blank=True,
        help_text=_("共享数据信息项: the resource fields the material is filled from (empty: all granted)"),
    )
    licence_legal_basis = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "用证法律依据: with it the platform attaches the applicant's e-licence automatically; "
            "without it only after the holder authorises the use (一证通办)"
        ),
    )
    origin_public_id = models.UUIDField(
        null=True, blank=True, editable=False, help_text=_("修订稿材料对应的已发布材料")
    )
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


class FeeItem(TimeStampedModel):
    """收费项目 One fee an item charges: name, standard and its legal basis."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fee_items")
    name = models.CharField(max_length=200, help_text=_("收费项目名称"))
    standard = models.CharField(max_length=300, help_text=_("收费标准"))
    legal_basis = models.TextField(blank=True, help_text=_("收费依据"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order", "pk"]
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")

    def __str__(self) -> str:
        return self.name
