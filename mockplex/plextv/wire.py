"""plex.tv's wire shapes: every answer its routes give, with plex.tv's exact field names.

Python names are snake_case; ``data_key`` gives the wire name. Pins are dumped
once through :class:`PinSchema` and that dict is what both JSON and XML render.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from marshmallow import (
    Schema,
    fields,
)

from mockplex.domain.accounts import Account
from mockplex.domain.clock import WIRE_FORMAT, format_wire, to_datetime
from mockplex.domain.limits import HOME_USERS_MAX, PIN_CACHE
from mockplex.domain.pins import WIRE_FIELDS, Pin, wire_state
from mockplex.web import render

#: Where plex.tv places every mock pin (the GeoData of the community spec's example).
#: The mock's choice: one location for all.
DEFAULT_LOCATION: Mapping[str, object] = MappingProxyType(
    {
        "code": "NL",
        "european_union_member": True,
        "continent_code": "EU",
        "country": "The Netherlands",
        "city": "Breda",
        "time_zone": "Europe/Amsterdam",
        "postal_code": "4814",
        "in_privacy_restricted_country": True,
        "in_privacy_restricted_region": True,
        "subdivisions": "North Brabant",
        "coordinates": "51.5869, 4.7471",
    }
)


class GeoDataSchema(Schema):
    """plex.tv's GeoData: the one object whose keys are snake_case on the wire."""

    code = fields.String(required=True)
    continent_code = fields.String(required=True)
    country = fields.String(required=True)
    city = fields.String(required=True)
    european_union_member = fields.Boolean(required=True)
    time_zone = fields.String(required=True)
    postal_code = fields.String(required=True)  # a string on the wire, never an int
    in_privacy_restricted_country = fields.Boolean(required=True)
    in_privacy_restricted_region = fields.Boolean(required=True)
    subdivisions = fields.String(required=True)
    coordinates = fields.String(required=True)  # "lat, lon"


class PinSchema(Schema):
    """The pin object of ``POST /api/v2/pins`` and ``GET /api/v2/pins/<id>``."""

    id = fields.Integer(required=True, strict=True)
    code = fields.String(required=True)
    product = fields.String(required=True)
    trusted = fields.Boolean(required=True)
    qr = fields.String(required=True)
    client_identifier = fields.String(data_key="clientIdentifier", required=True)
    location = fields.Nested(GeoDataSchema, required=True)
    expires_in = fields.Integer(data_key="expiresIn", required=True, strict=True)
    created_at = fields.DateTime(format=WIRE_FORMAT, data_key="createdAt", required=True)
    expires_at = fields.DateTime(format=WIRE_FORMAT, data_key="expiresAt", required=True)
    auth_token = fields.String(data_key="authToken", required=True, allow_none=True)
    new_registration = fields.Boolean(data_key="newRegistration", required=True,
                                      allow_none=True)


class SubscriptionSchema(Schema):
    active = fields.Boolean(required=True)
    subscribed_at = fields.String(data_key="subscribedAt", required=True, allow_none=True)
    status = fields.String(required=True)
    payment_service = fields.String(data_key="paymentService", required=True, allow_none=True)
    plan = fields.String(required=True, allow_none=True)
    features = fields.List(fields.String(), required=True)


class ProfileSchema(Schema):
    auto_select_audio = fields.Boolean(data_key="autoSelectAudio", required=True)
    default_audio_language = fields.String(data_key="defaultAudioLanguage", allow_none=True)
    default_subtitle_language = fields.String(data_key="defaultSubtitleLanguage",
                                              allow_none=True)
    auto_select_subtitle = fields.Integer(data_key="autoSelectSubtitle", required=True)
    default_subtitle_accessibility = fields.Integer(data_key="defaultSubtitleAccessibility",
                                                    required=True)
    default_subtitle_forced = fields.Integer(data_key="defaultSubtitleForced", required=True)
    watched_indicator = fields.Integer(data_key="watchedIndicator", required=True)
    media_reviews_visibility = fields.Integer(data_key="mediaReviewsVisibility", required=True)


class UserSchema(Schema):
    """The account of ``GET /api/v2/user``: what python-plexapi's MyPlexAccount and
    plex-api-client's get_token_details read, and what the community spec requires."""

    id = fields.Integer(required=True, strict=True)
    uuid = fields.String(required=True)
    username = fields.String(required=True)
    title = fields.String(required=True)
    email = fields.String(required=True)
    friendly_name = fields.String(data_key="friendlyName", required=True)
    locale = fields.String(required=True, allow_none=True)
    confirmed = fields.Boolean(required=True)
    joined_at = fields.Integer(data_key="joinedAt", required=True, strict=True)
    email_only_auth = fields.Boolean(data_key="emailOnlyAuth", required=True)
    has_password = fields.Boolean(data_key="hasPassword", required=True)
    protected = fields.Boolean(required=True)
    thumb = fields.String(required=True)
    auth_token = fields.String(data_key="authToken", required=True)
    mailing_list_status = fields.String(data_key="mailingListStatus", required=True)
    mailing_list_active = fields.Boolean(data_key="mailingListActive", required=True)
    scrobble_types = fields.String(data_key="scrobbleTypes", required=True)
    country = fields.String(required=True)
    subscription = fields.Nested(SubscriptionSchema, required=True)
    subscriptions = fields.List(fields.Nested(SubscriptionSchema), required=True)
    subscription_description = fields.String(data_key="subscriptionDescription",
                                              required=True, allow_none=True)
    restricted = fields.Boolean(required=True)
    anonymous = fields.Boolean(required=True, allow_none=True)
    home = fields.Boolean(required=True)
    guest = fields.Boolean(required=True)
    home_size = fields.Integer(data_key="homeSize", required=True)
    home_admin = fields.Boolean(data_key="homeAdmin", required=True)
    max_home_size = fields.Integer(data_key="maxHomeSize", required=True)
    remember_expires_at = fields.Integer(data_key="rememberExpiresAt", required=True)
    profile = fields.Nested(ProfileSchema, required=True)
    entitlements = fields.List(fields.String(), required=True)
    roles = fields.List(fields.String(), required=True)
    services = fields.List(fields.Dict(), required=True)
    ads_consent = fields.Boolean(data_key="adsConsent", required=True, allow_none=True)
    ads_consent_set_at = fields.Integer(data_key="adsConsentSetAt", required=True,
                                        allow_none=True)
    ads_consent_reminder_at = fields.Integer(data_key="adsConsentReminderAt", required=True,
                                             allow_none=True)
    experimental_features = fields.Boolean(data_key="experimentalFeatures", required=True)
    two_factor_enabled = fields.Boolean(data_key="twoFactorEnabled", required=True)
    backup_codes_created = fields.Boolean(data_key="backupCodesCreated", required=True)
    attribution_partner = fields.String(data_key="attributionPartner", required=True,
                                        allow_none=True)


class SignedInUserSchema(UserSchema):
    """The account ``POST /api/v2/users/signin`` answers with: the user, and the two
    lists the community description requires there."""

    past_subscriptions = fields.List(fields.Dict(), data_key="pastSubscriptions",
                                     required=True)
    trials = fields.List(fields.Dict(), required=True)


class LegacySubscriptionSchema(Schema):
    active = fields.Boolean(required=True)
    status = fields.String(required=True)
    plan = fields.String(required=True, allow_none=True)
    features = fields.List(fields.String(), required=True)


class LegacyRolesSchema(Schema):
    roles = fields.List(fields.String(), required=True)


class LegacyUserSchema(Schema):
    """The ``user`` of ``/users/account.json`` and ``/users/sign_in.json``: what Overseerr
    (``authToken``) and Ombi (``authentication_token``) read from it."""

    id = fields.Integer(required=True, strict=True)
    uuid = fields.String(required=True)
    email = fields.String(required=True)
    joined_at = fields.String(required=True)
    username = fields.String(required=True)
    title = fields.String(required=True)
    thumb = fields.String(required=True)
    has_password = fields.Boolean(data_key="hasPassword", required=True)
    auth_token = fields.String(data_key="authToken", required=True)
    authentication_token = fields.String(required=True)
    subscription = fields.Nested(LegacySubscriptionSchema, required=True)
    roles = fields.Nested(LegacyRolesSchema, required=True)
    entitlements = fields.List(fields.String(), required=True)


class LegacyAccountSchema(Schema):
    """``{"user": {...}}``, as ``/users/account.json`` answers."""

    user = fields.Nested(LegacyUserSchema, required=True)


class ErrorSchema(Schema):
    code = fields.Integer(required=True)
    message = fields.String(required=True)
    status = fields.Integer(required=True)


class ErrorsSchema(Schema):
    """plex.tv's error body: ``{"errors": [{"code", "message", "status"}]}``."""

    errors = fields.List(fields.Nested(ErrorSchema), required=True)


PIN_SCHEMA = PinSchema()
USER_SCHEMA = UserSchema()
ERRORS_SCHEMA = ErrorsSchema()
SIGNED_IN_USER = SignedInUserSchema()
LEGACY_ACCOUNT = LegacyAccountSchema()


def dump_pin(pin: Pin, now: float, base_url: str) -> dict[str, Any]:
    """The wire form of ``pin`` as seen at ``now`` by a mock served at ``base_url``.

    Only ``expiresIn`` changes from poll to poll, so the rest is dumped once per state
    of the pin (a client polls every second or so) and kept in a bounded cache; the
    ``qr`` link (the request's host, which any client may name) is not kept there.
    """
    dumped = _dump_pin_state(wire_state(pin)).data
    # The same keys, in the same order: only these two values are replaced.
    return {**dumped, "qr": qr_link(pin, base_url), "expiresIn": pin.expires_in(now)}


def pin_json(pin: Pin, dumped: Mapping[str, Any]) -> str:
    """:func:`dump_pin`'s wire form of ``pin`` as JSON text (exactly
    ``render.json_response``'s): written once per state of the pin, and only the two
    values that change from answer to answer, ``qr`` and ``expiresIn``, taken from
    ``dumped`` (the rest of ``dumped`` is not read: it is the same state's)."""
    return _dump_pin_state(wire_state(pin)).json.render(dumped)


def qr_link(pin: Pin, base_url: str) -> str:
    return f"{base_url}/api/v2/pins/qr/{pin.code}"


#: What a pin's answer shows besides its own fields (:data:`WIRE_FIELDS`): the mock's
#: one location, and two values each answer puts in (``qr`` and ``expiresIn``).
PIN_EXTRAS: Mapping[str, Any] = MappingProxyType(
    {"location": DEFAULT_LOCATION, "qr": "", "expires_in": 0})
PER_ANSWER = ("qr", "expiresIn")  # their wire names, in the order the wire form has them


@dataclass(frozen=True, slots=True)
class PinAnswer:
    """A pin's answer in one state: its wire form, and that form as JSON text with
    holes for the two values each answer puts in (:data:`PER_ANSWER`)."""

    data: dict[str, Any]
    json: render.JsonTemplate


@functools.lru_cache(maxsize=PIN_CACHE)
def _dump_pin_state(state: tuple[Any, ...]) -> PinAnswer:
    """The answer of a pin whose :data:`WIRE_FIELDS` have the values ``state``: keyed on
    them all, so a field added to :class:`Pin` is in the key too."""
    values = dict(zip(WIRE_FIELDS, state, strict=True))
    data: dict[str, Any] = PIN_SCHEMA.dump({
        **values, **PIN_EXTRAS,
        "created_at": to_datetime(values["created_at"]),
        "expires_at": to_datetime(values["expires_at"]),
    })
    return PinAnswer(data, render.JsonTemplate(data, PER_ANSWER))


def thumb_url(account: Account, base_url: str) -> str:
    """An account's picture, its ``thumb``: on the mock's own host, where it answers."""
    return f"{base_url}/users/{account.uuid}/avatar"


def member_values(member: Account) -> dict[str, Any]:
    """What plex.tv says of a member of a Plex Home wherever it lists one: ``restricted``
    and ``protected`` (it has a PIN) as set, and for a managed user no username and no
    email (python-plexapi's ``user()`` then finds it by title)."""
    return {"restricted": member.restricted, "protected": member.home_pin is not None,
            "username": "" if member.managed else member.username,
            "email": "" if member.managed else member.email}


def home_values(account: Account, home: Sequence[Account]) -> dict[str, Any]:
    """``account``'s Plex Home as its own answer gives it (``home`` the members, the
    store's ``home(account)``; empty: a home of one): a managed user's home, and an
    owner's with managed users, is a home (``homeAdmin`` the owner's)."""
    in_home = account.managed or len(home) > 1
    return {"home": in_home, "home_admin": in_home and not account.managed,
            "home_size": max(len(home), 1), "restricted": account.restricted,
            "protected": account.home_pin is not None}


def user_values(account: Account, base_url: str,
                home: Sequence[Account]) -> dict[str, Any]:
    """An account's values by Python name: its own, its Plex Home's (``home``: the
    members, the store's ``home(account)``), plus those every mock account shares."""
    return {
        "id": account.id, "uuid": account.uuid, "username": account.username,
        "title": account.title, "email": account.email,
        "friendly_name": account.friendly_name, "locale": account.locale,
        "confirmed": True, "joined_at": account.joined_at, "email_only_auth": False,
        "has_password": account.password is not None,
        "thumb": thumb_url(account, base_url),
        "auth_token": account.auth_token, "mailing_list_status": "unsubscribed",
        "mailing_list_active": False, "scrobble_types": "", "country": "NL",
        "subscription": NO_SUBSCRIPTION, "subscriptions": [],
        "subscription_description": None, "anonymous": None,
        **home_values(account, home), "guest": False, "max_home_size": HOME_USERS_MAX,
        "remember_expires_at": account.joined_at + 365 * 24 * 3600,
        "profile": {"auto_select_audio": True, "default_audio_language": "en",
                    "default_subtitle_language": "en", "auto_select_subtitle": 0,
                    "default_subtitle_accessibility": 0, "default_subtitle_forced": 0,
                    "watched_indicator": 1, "media_reviews_visibility": 0},
        "entitlements": [], "roles": [], "services": [],
        "ads_consent": None, "ads_consent_set_at": None, "ads_consent_reminder_at": None,
        "experimental_features": False,
        "two_factor_enabled": account.verification_code is not None,
        "backup_codes_created": False, "attribution_partner": None,
    }


#: A free account's subscription: every mock account is one (mock's choice).
NO_SUBSCRIPTION: Mapping[str, Any] = MappingProxyType({
    "active": False, "subscribed_at": None, "status": "Inactive", "payment_service": None,
    "plan": None, "features": []})


def dump_user(account: Account, base_url: str,
              home: Sequence[Account]) -> dict[str, Any]:
    """The wire form of ``account`` (``GET /api/v2/user``)."""
    data: dict[str, Any] = USER_SCHEMA.dump(user_values(account, base_url, home))
    return data


def dump_signed_in_user(account: Account, base_url: str,
                        home: Sequence[Account]) -> dict[str, Any]:
    """The wire form of ``account`` as password sign-in answers with it."""
    data: dict[str, Any] = SIGNED_IN_USER.dump({**user_values(account, base_url, home),
                                                "past_subscriptions": [], "trials": []})
    return data


def dump_legacy_account(account: Account, base_url: str,
                        home: Sequence[Account]) -> dict[str, Any]:
    """``{"user": {...}}``: ``/users/account.json`` and ``/users/sign_in.json``."""
    values = user_values(account, base_url, home)
    data: dict[str, Any] = LEGACY_ACCOUNT.dump({"user": {
        **values, "joined_at": format_wire(account.joined_at),
        "authentication_token": account.auth_token,
        "subscription": NO_SUBSCRIPTION,
        "roles": {"roles": values["roles"]}}})
    return data


def legacy_account_xml(account: Account, base_url: str,
                       home: Sequence[Account]) -> dict[str, Any]:
    """The attributes and children of ``/users/account``'s XML ``<user>``: those of
    ``/api/v2/user``, and the older ``authenticationToken``."""
    return {**dump_user(account, base_url, home), "authenticationToken": account.auth_token}
