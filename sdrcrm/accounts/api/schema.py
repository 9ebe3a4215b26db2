"""OpenAPI description of the team API key, so machine endpoints document how they authenticate.

Importing this module (from the accounts app's `ready`) also registers the project's field
extensions in `sdrcrm.core.openapi`, which must be known before the schema is generated.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from sdrcrm.core import openapi  # noqa: F401  (registers the time and blank-value field extensions)


class TeamApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "sdrcrm.accounts.api.authentication.TeamApiKeyAuthentication"
    name = "TeamApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
