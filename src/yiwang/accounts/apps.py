from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yiwang.accounts"
    label = "accounts"
    verbose_name = "账户 Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from yiwang.accounts.policy import apply_session_timeout

        user_logged_in.connect(apply_session_timeout, dispatch_uid="accounts.session_timeout")

        from django.db.models.signals import post_delete, post_save
        from oauth2_provider.models import get_application_model

        from yiwang.accounts.sso_origins import forget_origins, relying_party_origins
        from yiwang.core.security_headers import register_form_action_source

        register_form_action_source(relying_party_origins)
        for signal in (post_save, post_delete):
            signal.connect(
                forget_origins, sender=get_application_model(), dispatch_uid="accounts.sso_origins"
            )
