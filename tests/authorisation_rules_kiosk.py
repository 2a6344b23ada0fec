"""Who may call each page and API operation of the self-service kiosk (/kiosk/)
(merged into ``authorisation_rules.RULES``).

Every kiosk page needs a registered kiosk: the browser carries the device cookie set by the kiosk
URL (``manage.py kiosk_device``).  None of the matrix's identities is a kiosk, so every one of them
— anonymous, applicants with a portal session, staff — is refused (403) on those pages; inside a
kiosk, who may do what is tested in ``src/yiwang/kiosk/tests`` (a person's cases and printouts need
a kiosk log-in by ID card or QR code; tickets and check-in anybody at the kiosk).  The only page
outside the kiosk is the QR log-in confirmation on the citizen's phone: applicants (an unknown
token answers 404), never staff or anonymous users.
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, NOBODY, Rule

KIOSK_ONLY = Rule(NOBODY)

RULES: dict[str, Rule] = {
    "PAGE /kiosk/": KIOSK_ONLY,
    "PAGE /kiosk/logout/": KIOSK_ONLY,
    "PAGE /kiosk/mode/": KIOSK_ONLY,
    "PAGE /kiosk/login/card/": KIOSK_ONLY,
    "PAGE /kiosk/login/qr/": KIOSK_ONLY,
    "PAGE /kiosk/login/qr/status/": KIOSK_ONLY,
    "PAGE /kiosk/qr/<str:token>/confirm/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /kiosk/ticket/": KIOSK_ONLY,
    "PAGE /kiosk/checkin/": KIOSK_ONLY,
    "PAGE /kiosk/cases/": KIOSK_ONLY,
    "PAGE /kiosk/cases/<uuid:public_id>/": KIOSK_ONLY,
    "PAGE /kiosk/print/": KIOSK_ONLY,
    "PAGE /kiosk/print/licences/<uuid:public_id>/": KIOSK_ONLY,
    "PAGE /kiosk/print/results/<uuid:public_id>/": KIOSK_ONLY,
    "PAGE /kiosk/apply/": KIOSK_ONLY,
}
