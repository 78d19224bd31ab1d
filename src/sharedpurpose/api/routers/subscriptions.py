"""Stay informed: the public sign-up, with the web form's double opt-in.

The API only creates sign-ups. It calls the web's service, which records consent and e-mails
a confirmation link; nothing is sent to someone who does not click it. The answer is the
same whether or not the address was already signed up.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import Throttled, ValidationError
from ninja.throttling import SimpleRateThrottle

from sharedpurpose.engagement.services.subscriptions import (
    RATE_WINDOW_SECONDS,
    subscription_request,
)
from sharedpurpose.programmes.selectors import programmes_public

from ..auth import ANYONE, principal
from ..problems import PROBLEM_RESPONSES
from ..schemas import OPTIONAL_AUTH, AcceptedOut, SubscriptionIn

router = Router(tags=["Stay informed"])

#: Sign-ups per hour from one address through the API, on top of the service's own limits.
SIGN_UP_RATE = "10/h"
ACCEPTED = (
    "Check your inbox: if the address can be signed up, we have sent it a link to confirm. "
    "Nothing is sent until it is confirmed."
)


class SignUpThrottle(SimpleRateThrottle):
    """Sign-ups per calling address (the connection's, as the web form counts them)."""

    scope = "api_sign_up"

    def __init__(self) -> None:
        super().__init__(SIGN_UP_RATE)

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": principal(request).address}


def _programme_ids(slugs: list[str]) -> list[int]:
    """Ids of the published programmes named; an unknown slug is a 422 naming its place."""
    found = dict(
        programmes_public().filter(slug__in=set(slugs)).values_list("slug", "pk").order_by()
    )
    unknown = [
        {
            "loc": ["body", "payload", "programmes", index],
            "msg": f"No published programme has the slug “{slug}”.",
            "type": "value_error",
        }
        for index, slug in enumerate(slugs)
        if slug not in found
    ]
    if unknown:
        raise ValidationError(unknown)
    return [found[slug] for slug in slugs]


@router.post(
    "/subscriptions",
    response={202: AcceptedOut, **PROBLEM_RESPONSES},
    auth=ANYONE,
    openapi_extra=OPTIONAL_AUTH,
    throttle=[SignUpThrottle()],
    summary="Sign up to stay informed",
)
def subscription_create(request: HttpRequest, payload: SubscriptionIn) -> Any:
    """Sign someone up for news of all programmes or chosen ones, as the site's form does.

    They are e-mailed a link to confirm (double opt-in) and receive nothing else until they
    click it. The answer is the same for a new address, an unconfirmed one and one already
    signed up. Limited to 10 sign-ups an hour from one address.
    """
    all_programmes = payload.wants_all
    programme_ids = [] if all_programmes else _programme_ids(payload.programmes)
    try:
        subscription_request(
            email=payload.email,
            name=payload.name,
            all_programmes=all_programmes,
            programme_ids=programme_ids,
            consent=payload.consent,
            ip_address=principal(request).address,
        )
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        # The service's own per-address limit, shared with the web form.
        raise Throttled(wait=RATE_WINDOW_SECONDS) from error
    return Status(202, AcceptedOut(detail=ACCEPTED))
