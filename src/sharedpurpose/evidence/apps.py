from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "sharedpurpose.evidence"
    label = "evidence"
    verbose_name = "Evidence base"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the recompute-on-change receiver)
