"""A small OpenID Connect provider for the tests, built on Authlib's server side, served on a free loopback port.

It speaks the real protocol to the app's client: discovery, JWKS (a fresh RSA key), an authorization page with
a tiny login form (type a username, then "Allow" or "Deny"), the authorization code grant with OpenID Connect
(`OpenIDCode`: signed ID tokens carrying the nonce) and PKCE (`CodeChallenge`, S256 required), the token
endpoint and userinfo. Tests add people and clients, and can make it misbehave: `wrong_nonce` puts another
nonce in the next ID tokens, as a replayed or injected token would have.
"""
import secrets
import threading
import time
from dataclasses import dataclass, field
from html import escape

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


@dataclass
class Person:
    """Someone with an account at the provider."""
    username: str
    email: str | None = None
    email_verified: bool = True
    name: str | None = None
    groups: list[str] = field(default_factory=list)
    sub: str = field(default_factory=lambda: secrets.token_hex(8))

    def claims(self, scope: str) -> dict:
        info = {"sub": self.sub}
        if "profile" in scope.split():
            info.update(preferred_username=self.username, name=self.name or self.username, groups=list(self.groups))
        if "email" in scope.split() and self.email:
            info.update(email=self.email, email_verified=self.email_verified)
        return info


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class OidcProvider:
    """The provider's state and its Flask app; `start()` serves it and sets `issuer`."""

    def __init__(self):
        self.people: dict[str, Person] = {}
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, tuple[Person, str]] = {}
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(4), "use": "sig"})
        self.issuer = ""
        self.wrong_nonce = False
        self.token_requests: list[dict] = []  # what the client sent to the token endpoint (PKCE checks)
        self.app = self._build_app()
        self._server = self._thread = None

    # --- what tests call ---------------------------------------------------------------------------------------

    def add_person(self, username: str, **details) -> Person:
        person = Person(username=username, **details)
        self.people[username] = person
        return person

    def add_client(self, redirect_uri: str, client_id: str | None = None) -> Client:
        client = Client(client_id or "kotae-" + secrets.token_hex(4), secrets.token_urlsafe(24), [redirect_uri])
        self.clients[client.client_id] = client
        return client

    def start(self) -> "OidcProvider":
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()

    def settings(self, client: Client, **more) -> dict:
        """The app's OIDC_* settings for `client`."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": client.client_id,
                "OIDC_CLIENT_SECRET": client.client_secret, "OIDC_PROVIDER_NAME": "Example ID", **more}

    # --- the app ----------------------------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("oidc_provider")
        app.config["SECRET_KEY"] = secrets.token_hex(16)
        provider = self
        server = AuthorizationServer(app, query_client=self.clients.get, save_token=self._save_token)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                data = req.payload.data
                provider.codes[code] = AuthorizationCode(
                    code=code, client_id=req.client.client_id, redirect_uri=req.payload.redirect_uri,
                    scope=req.scope, person=req.user, nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"), code_challenge_method=data.get("code_challenge_method"))

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                return item if item and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce, req):
                return any(code.nonce == nonce for code in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.key.kid}

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.client_id]}

            def get_authorization_code_claims(self, authorization_code):
                claims = super().get_authorization_code_claims(authorization_code)
                if provider.wrong_nonce:
                    claims["nonce"] = "not-the-nonce-you-sent"
                return claims

            def generate_user_info(self, user, scope):
                return UserInfo(user.claims(scope))

        server.register_grant(CodeGrant, [IdToken(require_nonce=True), CodeChallenge(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=provider.issuer, authorization_endpoint=provider.issuer + "/authorize",
                token_endpoint=provider.issuer + "/token", userinfo_endpoint=provider.issuer + "/userinfo",
                jwks_uri=provider.issuer + "/jwks", response_types_supported=["code"],
                subject_types_supported=["public"], id_token_signing_alg_values_supported=["RS256"],
                scopes_supported=["openid", "email", "profile"], code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"])

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[provider.key.as_dict(private=False)])

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            if request.method == "GET":
                return _login_page(request.query_string.decode())
            person = provider.people.get(request.form.get("username", ""))
            if request.form.get("consent") != "allow" or person is None:
                return server.create_authorization_response(grant_user=None, grant=server.get_consent_grant())
            grant = server.get_consent_grant(end_user=person)
            return server.create_authorization_response(grant_user=person, grant=grant)

        @app.post("/token")
        def token():
            provider.token_requests.append(request.form.to_dict())
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if bearer not in provider.tokens:
                return jsonify(error="invalid_token"), 401
            person, scope = provider.tokens[bearer]
            return jsonify(person.claims(scope))

        return app

    def _save_token(self, token: dict, req) -> None:
        self.tokens[token["access_token"]] = (req.user, token.get("scope", ""))


def _login_page(query: str) -> str:
    """The provider's sign-in and consent page: a username box, "Allow" and "Deny"."""
    action = "/authorize?" + escape(query)
    return (f'<!doctype html><title>Example ID</title><link rel="icon" href="data:,"><h1>Example ID</h1>'
            f'<form method="post" action="{action}"><label>Username <input name="username" id="username"></label>'
            f'<button name="consent" value="allow" id="allow">Allow</button>'
            f'<button name="consent" value="deny" id="deny">Deny</button></form>')
