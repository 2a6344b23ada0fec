from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yiwang.accounts"
    label = "accounts"
    verbose_name = "账户 Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from yiwang.accounts.policy import apply_session_timeout

        user_logged_in.connect(apply_session_timeout, dispatch_uid="accounts.session_timeout")
