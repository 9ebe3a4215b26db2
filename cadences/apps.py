from django.apps import AppConfig


class CadencesConfig(AppConfig):
    name = "cadences"
    verbose_name = "Cadences"

    def ready(self):
        # A disqualified or nurtured lead leaves its cadence (leads may not import cadences).
        from cadences.services import enrollments_exit_for_lead
        from leads import services as lead_services

        lead_services.register_lead_parked_hook(enrollments_exit_for_lead)
