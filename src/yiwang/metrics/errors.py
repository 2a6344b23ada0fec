from enum import StrEnum


class MetricsErrorCode(StrEnum):
    """Every error code metrics raises."""

    NO_DASHBOARD_ROLE = "metrics_no_dashboard_role"  # 403: the dashboards need a case or manager role
    NO_SCREEN_ACCESS = (
        "metrics_no_screen_access"  # 403: the big screen: supervisors, managers, admins or a display key
    )
    BAD_DISPLAY_KEY = "metrics_bad_display_key"  # 403: a display key that is forged or revoked
    OUT_OF_SCOPE = "metrics_out_of_scope"  # 403: the department filter is outside the user's data scope
    BAD_PERIOD = "metrics_bad_period"  # 422: a period that is not two dates, start before end, ≤ 3 years
    BAD_FILTER = "metrics_bad_filter"  # 422: an unknown level, department, item or region
