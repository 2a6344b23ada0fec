"""演示部门系统 A tiny stand-alone department business system that logs in through the platform's SSO.

It is a separate Django project (own settings, own process, own SQLite file) that uses Authlib as a
real OpenID Connect client: discovery, authorization code + PKCE, ID-token validation against the
platform's JWKS, userinfo and RP-initiated logout.  ``yiwang demo`` starts it on PORT+1.
"""
