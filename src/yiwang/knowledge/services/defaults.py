"""常见问题预置 About thirty FAQs every government service platform gets asked (``yiwang
knowledge_defaults``): published at once, keyed by a slug so a second run changes nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.knowledge import search
from yiwang.knowledge.models import EntryKind, EntryStatus, KnowledgeEntry

# (slug, category, title, answer, synonyms)
DEFAULT_FAQS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "register",
        "账户",
        "如何注册账户",
        "点击页面右上角“注册”，填写手机号并获取短信验证码，设置密码后即完成注册。注册后为初级实名，可办理大部分查询类事项。",
        "注册 开户 新用户",
    ),
    (
        "real-name",
        "账户",
        "如何进行实名认证",
        "登录后进入“我的—账户安全—实名认证升级”，可通过银行卡核验、人脸识别或人口库比对提升实名等级。部分事项要求中级及以上实名。",
        "实名 认证 实名制 升级",
    ),
    (
        "forgot-password",
        "账户",
        "忘记密码怎么办",
        "在登录页点击“忘记密码/找回账户”，输入注册手机号并获取验证码，即可重设密码。",
        "忘记密码 找回密码 重置密码 密码",
    ),
    (
        "change-phone",
        "账户",
        "如何更换绑定手机号",
        "登录后进入“我的—账户安全—更换手机号”，验证原手机号或身份信息后绑定新手机号。",
        "换手机号 手机号 绑定",
    ),
    (
        "company-account",
        "账户",
        "企业如何注册法人账户",
        "企业经办人登录个人账户后，在“我的—企业注册”中填写统一社会信用代码并完成法定代表人授权。",
        "法人 企业账户 单位",
    ),
    (
        "agent",
        "账户",
        "如何授权经办人代办",
        "法定代表人登录后在“我的—经办人”中添加经办人并设置授权范围和期限，可随时撤销。",
        "经办人 授权 代办 委托",
    ),
    (
        "case-status",
        "办件",
        "如何查询办件进度",
        "登录后在“我的办件”查看全部办件及状态；未登录时可在“办件查询”中输入办件编号和证件号码后4位查询。",
        "办件查询 进度 状态 办到哪",
    ),
    (
        "case-number",
        "办件",
        "办件编号在哪里看",
        "提交申请后系统会短信告知办件编号，也可在“我的办件”中查看，办件编号用于查询进度和咨询。",
        "编号 受理号 流水号",
    ),
    (
        "correction",
        "办件",
        "收到补正通知怎么办",
        "在“我的办件”打开该办件，按补正告知书一次性补齐材料后重新提交，补正期间不计入办理时限。",
        "补正 补齐材料 退回",
    ),
    (
        "withdraw",
        "办件",
        "如何撤回已提交的申请",
        "办件受理前可在“我的办件”中撤回申请；已受理的办件请联系承办部门。",
        "撤回 撤销申请 取消",
    ),
    (
        "time-limit",
        "办件",
        "办理时限怎么计算",
        "办理时限按工作日计算，自受理之日起算，法定节假日不计入；承诺时限一般短于法定时限。",
        "时限 多久 几天 工作日",
    ),
    (
        "pay",
        "缴费",
        "如何缴费",
        "需要缴费的事项在审批通过后生成缴费单，可在“我的办件”中通过微信、支付宝或银联在线缴纳，也可到窗口缴费。",
        "缴费 付款 支付 交钱",
    ),
    (
        "receipt",
        "缴费",
        "如何获取缴费票据",
        "缴费成功后系统自动开具财政电子票据，可在办件详情中下载或查验。",
        "发票 票据 收据",
    ),
    (
        "refund",
        "缴费",
        "多缴或误缴的费用如何退款",
        "请联系承办部门申请退款，审核通过后原路退回，一般7个工作日内到账。",
        "退款 退费",
    ),
    (
        "mail",
        "送达",
        "如何申请邮寄办理结果",
        "支持邮寄的事项可在申请时或办结后选择“邮寄送达”，填写收件地址，结果证照将通过快递寄出，可在办件详情中查看物流。",
        "邮寄 快递 寄送 送达",
    ),
    (
        "licence",
        "电子证照",
        "电子证照如何使用",
        "办结后签发的电子证照存入“我的证照”，办理其他事项时可直接授权调用，无需再提交纸质材料，也可出示二维码供核验。",
        "电子证照 证照 亮证 扫码",
    ),
    (
        "licence-verify",
        "电子证照",
        "如何核验电子证照真伪",
        "在“证照核验”页面扫描证照二维码或上传证照文件，系统将校验电子签章和证照状态。",
        "核验 真伪 验证",
    ),
    (
        "complain",
        "咨询投诉",
        "如何投诉",
        "可拨打12345热线，或在智能客服中说明情况并选择“转人工”，系统将生成工单并在规定时限内答复。",
        "投诉 举报 不满意 意见",
    ),
    (
        "consult",
        "咨询投诉",
        "如何咨询办事问题",
        "可使用页面右下角的智能客服，或拨打事项指南中的咨询电话，也可拨打12345政务服务便民热线。",
        "咨询 客服 热线 12345",
    ),
    (
        "evaluate",
        "咨询投诉",
        "如何对办事服务进行评价",
        "办件办结后会收到“好差评”邀请，也可在办件详情中评价，差评将由专人回访整改。",
        "好差评 评价 打分",
    ),
    (
        "window",
        "线下办理",
        "政务服务中心在哪里，几点上班",
        "各事项的办理地点和办理时间见事项指南；政务服务中心一般周一至周五 9:00—17:00 办公，法定节假日除外。",
        "大厅 地址 上班时间 窗口",
    ),
    (
        "appointment",
        "线下办理",
        "如何预约窗口办理",
        "支持预约的事项可在事项指南中点击“预约”，选择日期和时段后按时到窗口办理。",
        "预约 排号 取号",
    ),
    (
        "proxy",
        "线下办理",
        "可以委托他人代办吗",
        "大部分事项可委托代办，代办人需携带委托书和双方身份证件；具体以事项指南为准。",
        "代办 委托 代理",
    ),
    (
        "cross-region",
        "线下办理",
        "什么是跨省通办",
        "跨省通办事项可在异地窗口或网上办理，无需回户籍地，通办范围见事项指南“通办范围”。",
        "跨省通办 异地办理 通办",
    ),
    (
        "materials",
        "办事指南",
        "办事需要准备哪些材料",
        "各事项所需材料见事项指南“申请材料”，电子证照可免交的材料系统会自动调取。",
        "材料 准备 证件",
    ),
    (
        "commitment",
        "办事指南",
        "什么是告知承诺制",
        "实行告知承诺的事项，申请人书面承诺符合条件后可当场或快速办结，事后核查不实的将依法处理。",
        "告知承诺 承诺制",
    ),
    (
        "one-thing",
        "办事指南",
        "什么是一件事一次办",
        "将多个关联事项打包为一件事，一次申请、一套材料、一次办结，可在“一件事”栏目中办理。",
        "一件事 套餐 打包",
    ),
    (
        "elderly",
        "使用帮助",
        "如何切换长辈模式",
        "点击页面顶部“长辈模式”，页面字体放大、操作简化，再次点击即可切回标准模式。",
        "老年人 长辈 大字",
    ),
    (
        "browser",
        "使用帮助",
        "页面打不开或上传失败怎么办",
        "请使用最新版浏览器并检查网络；上传文件支持PDF、JPG、PNG，单个不超过10MB。",
        "打不开 上传失败 卡住",
    ),
    (
        "privacy",
        "使用帮助",
        "个人信息如何保护",
        "平台对身份证号、手机号等个人信息加密存储、脱敏展示，工作人员查阅均有记录，可在“我的—数据查阅记录”中查看。",
        "隐私 个人信息 数据安全",
    ),
)


def install_defaults() -> int:
    """Publish the default FAQs not installed yet; returns how many were added."""
    keys = [f"faq:{slug}" for slug, *_ in DEFAULT_FAQS]
    present = set(KnowledgeEntry.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
    added = 0
    now = timezone.now()
    for (slug, category, title, answer, synonyms), key in zip(DEFAULT_FAQS, keys, strict=True):
        if key in present:
            continue
        with transaction.atomic():
            entry = KnowledgeEntry(
                kind=EntryKind.FAQ,
                status=EntryStatus.PUBLISHED,
                title=title,
                answer=answer,
                category=category,
                synonyms=synonyms,
                source_key=key,
                published_at=now,
                version=1,
            )
            search.refresh(entry, extra=[category])
            entry.save()
            search.sync_index([(entry.pk, entry.search_text)])
            audit.record("knowledge.entry.default_installed", obj=entry, detail={"slug": slug})
        added += 1
    return added
