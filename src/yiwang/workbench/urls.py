from django.urls import path

from yiwang.workbench import calendar_views, results_views, staff_views, todo_views, views

app_name = "workbench"
urlpatterns = [
    path("", todo_views.todo, name="todo"),
    path("login/", views.login_view, name="login"),
    path("cases/", todo_views.case_list, name="case_list"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/accept/", views.accept, name="accept"),
    path("cases/<uuid:public_id>/refuse/", views.refuse, name="refuse"),
    path("cases/<uuid:public_id>/correction/", views.correction, name="correction"),
    path("cases/<uuid:public_id>/decide/", views.decide, name="decide"),
    path("cases/<uuid:public_id>/variant/<slug:action>/", views.variant, name="variant"),
    path("cases/<uuid:public_id>/result/", views.result_download, name="result"),
    path(
        "cases/<uuid:public_id>/documents/<uuid:document_id>/",
        results_views.document_download,
        name="document",
    ),
    path("cases/<uuid:public_id>/handover/", results_views.handover, name="handover"),
    path("window/register/", results_views.window_register, name="window_register"),
    path("window/receipt/<uuid:public_id>/", results_views.window_receipt, name="window_receipt"),
    path("cases/<uuid:public_id>/materials/<uuid:material_id>/", views.material_download, name="material"),
    path(
        "cases/<uuid:public_id>/materials/<uuid:material_id>/verify/",
        views.material_verify,
        name="material_verify",
    ),
]

# 事项管理 (service managers): catalogue governance pages, in workbench/catalog_views.py (list, items,
# actions), catalog_edit_views.py (the draft editor) and catalog_report_views.py (reports)
from yiwang.workbench import (  # noqa: E402
    catalog_edit_views,
    catalog_report_views,
    catalog_views,
    form_builder_views,
)

urlpatterns += [
    path("catalog/", catalog_views.item_list, name="catalog_list"),
    path("catalog/new/", catalog_views.item_new, name="catalog_new"),
    path("catalog/review/", catalog_views.review_queue, name="catalog_review_queue"),
    path("catalog/consistency/", catalog_report_views.consistency, name="catalog_consistency"),
    path("catalog/quality/", catalog_report_views.quality, name="catalog_quality"),
    path("catalog/statistics/", catalog_report_views.statistics, name="catalog_statistics"),
    path("catalog/<uuid:public_id>/", catalog_views.item_detail, name="catalog_detail"),
    path("catalog/<uuid:public_id>/edit/", catalog_edit_views.item_edit, name="catalog_edit"),
    path("catalog/<uuid:public_id>/scenarios/", catalog_edit_views.item_scenarios, name="catalog_scenarios"),
    path("catalog/<uuid:public_id>/submit/", catalog_views.item_submit, name="catalog_submit"),
    path("catalog/<uuid:public_id>/review/", catalog_views.item_review, name="catalog_review"),
    path("catalog/<uuid:public_id>/publish/", catalog_views.item_publish, name="catalog_publish"),
    path("catalog/<uuid:public_id>/withdraw/", catalog_views.item_withdraw, name="catalog_withdraw"),
    path("catalog/<uuid:public_id>/revise/", catalog_views.item_revise, name="catalog_revise"),
    path("catalog/<uuid:public_id>/discard/", catalog_views.item_discard, name="catalog_discard"),
    path("catalog/<uuid:public_id>/schedule/", catalog_views.item_schedule, name="catalog_schedule"),
    path("catalog/<uuid:public_id>/compare/", catalog_views.item_compare, name="catalog_compare"),
    # 电子表单设计器 (workbench/form_builder_views.py)
    path("catalog/<uuid:public_id>/form/", form_builder_views.form_builder, name="catalog_form"),
    path(
        "catalog/<uuid:public_id>/form/save/", form_builder_views.form_builder_save, name="catalog_form_save"
    ),
    path(
        "catalog/<uuid:public_id>/form/preview/",
        form_builder_views.form_builder_preview,
        name="catalog_form_preview",
    ),
    # 工作人员用户中心: MFA, staff administration (三员), audit trail, counter identity verification
    path("mfa/", staff_views.mfa_verify, name="mfa"),
    path("mfa/enrol/", staff_views.mfa_enrol, name="mfa_enrol"),
    path("mfa/recovery-codes/", staff_views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("staff/", staff_views.staff_admin, name="staff"),
    path("staff/create/", staff_views.staff_create, name="staff_create"),
    path("staff/<uuid:public_id>/", staff_views.staff_action, name="staff_action"),
    path("audit/", staff_views.audit_log, name="audit"),
    path("security/policy/", staff_views.security_policy, name="security_policy"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("identity/", staff_views.identity_counter, name="identity_counter"),
]

# 检索同义词 and 事项导入导出 (service managers), in workbench/synonym_views.py and catalog_io_views.py
from yiwang.workbench import base_item_views, catalog_io_views, synonym_views  # noqa: E402

urlpatterns += [
    path("catalog/synonyms/", synonym_views.synonym_list, name="catalog_synonyms"),
    path("catalog/synonyms/<uuid:public_id>/", synonym_views.synonym_edit, name="catalog_synonym_edit"),
    path(
        "catalog/synonyms/<uuid:public_id>/delete/",
        synonym_views.synonym_delete,
        name="catalog_synonym_delete",
    ),
    path("catalog/io/", catalog_io_views.catalog_io, name="catalog_io"),
    path("catalog/base-items/", base_item_views.base_item_list, name="catalog_base_items"),
    path(
        "catalog/base-items/<uuid:public_id>/", base_item_views.base_item_edit, name="catalog_base_item_edit"
    ),
    path(
        "catalog/base-items/<uuid:public_id>/retire/",
        base_item_views.base_item_retire,
        name="catalog_base_item_retire",
    ),
    path("catalog/io/export.<str:fmt>", catalog_io_views.catalog_export, name="catalog_export"),
]

# 办件库, 办件统计, 归档包 (case records), in workbench/records_views.py
from yiwang.workbench import records_views  # noqa: E402

urlpatterns += [
    path("library/", records_views.case_library, name="library"),
    path("library/report/", records_views.case_report, name="library_report"),
    path("archives/<uuid:public_id>/", records_views.archive_detail, name="archive_detail"),
]

# 流程待办 / 已办 and the process definitions (BPMN viewer, variants), in workbench/task_views.py
from yiwang.workbench import task_views  # noqa: E402

urlpatterns += [
    path("tasks/", task_views.tasks, name="tasks"),
    path("tasks/done/", task_views.tasks_done, name="tasks_done"),
    path("tasks/batch/", task_views.task_batch, name="task_batch"),
    path(
        "tasks/<uuid:public_id>/<str:action>/",
        task_views.task_action,
        name="task_action",
    ),
]

from yiwang.workbench import process_views  # noqa: E402

urlpatterns += [
    path("processes/", process_views.process_list, name="processes"),
    path("processes/<slug:key>/", process_views.process_detail, name="process_detail"),
]
