"""OpenAPI description of the team API key, so machine endpoints document how they authenticate."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TeamApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "sdrcrm.accounts.api.authentication.TeamApiKeyAuthentication"
    name = "TeamApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
