"""The unsubscribe links of cadence emails: a mailto address always, and a page of ours when `SITE_URL`
is set (RFC 8058 one-click when it is HTTPS: mail providers POST `List-Unsubscribe=One-Click` to it).

A link names its touch, signed: nobody can unsubscribe someone else by guessing a number."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "cadences.unsubscribe"


def token_for(touch_id: int) -> str:
    return signing.Signer(salt=SALT).sign(str(touch_id))


def touch_id_from(token: str) -> int | None:
    """The touch a token names, or None for a token that was not signed here."""
    try:
        return int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def link_for(touch_id: int) -> str:
    """The unsubscribe page of a touch's email ('' without `SITE_URL`)."""
    if not settings.SITE_URL:
        return ""
    return settings.SITE_URL + reverse("unsubscribe", args=[token_for(touch_id)])


def headers_for(touch, *, domain: str) -> dict[str, str]:
    """List-Unsubscribe (the page first, then the mailto address) and, for an HTTPS page only,
    List-Unsubscribe-Post."""
    mailto = f"<mailto:unsubscribe@{domain}?subject=unsubscribe%20{touch.message_id.strip('<>')}>"
    link = link_for(touch.pk)
    if not link:
        return {"List-Unsubscribe": mailto}
    headers = {"List-Unsubscribe": f"<{link}>, {mailto}"}
    if link.startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers
