"""The OpenAPI 3.1 document of the REST API, served at ``GET /openapi.json``.

A test checks that every route the server mounts is described here and that every
answer the tests receive matches its schema, so the document cannot drift.
"""

from __future__ import annotations

from typing import Any

VERSION = "1.0.0"

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

_SONG = {
    "type": "object",
    "required": ["title", "artist", "album", "spotify_id"],
    "properties": {
        "title": {"type": "string"},
        "artist": {"type": "string"},
        "album": {"type": "string"},
        "spotify_id": {"type": "string", "pattern": "^[0-9A-Za-z]{22}$"},
        "popularity": {"type": "integer", "minimum": 0, "maximum": 100},
        "genres": {"type": "array", "items": {"type": "string"}},
    },
}

_PLAYLIST = {
    "type": "object",
    "required": ["songs", "generated_from", "total_count", "is_refinement", "playlist_id"],
    "properties": {
        "songs": {"type": "array", "items": {"$ref": "#/components/schemas/Song"}},
        "generated_from": {"type": "string"},
        "total_count": {"type": "integer", "minimum": 0},
        "is_refinement": {"type": "boolean"},
        "playlist_id": {"type": "string"},
        "title": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
        "provider": {"type": "string"},
        "note": {"type": ["string", "null"]},
        "share_url": {"type": "string"},
    },
}

_BLEND_PLAYLIST = {
    "allOf": [{"$ref": "#/components/schemas/Playlist"}],
    "type": "object",
    "required": ["credits", "summary"],
    "properties": {
        "credits": {"type": "array", "items": {"type": "string"},
                    "description": "per song, in order: whose taste it serves (member names)"},
        "summary": {"type": "string", "description": "e.g. 3 people · 40% shared favourites"},
    },
}

_BLEND_MEMBER = {
    "type": "object",
    "required": ["device_id"],
    "properties": {
        "device_id": {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{1,128}$"},
        "device_secret": {"type": "string",
                          "description": "that device's secret from POST /register-device; "
                          "required wherever X-Device-Secret is (no API key, not loopback)"},
        "name": {"type": "string", "description": "how the credits name this member"},
    },
}

_USER_CONTEXT = {
    "type": "object",
    "description": "Taste for this request only (the device's stored profile otherwise).",
    "properties": {
        "favorite_genres": {"type": "array", "items": {"type": "string"}},
        "favorite_artists": {"type": "array", "items": {"type": "string"}},
        "disliked_artists": {"type": "array", "items": {"type": "string"}},
        "energy": {"type": "number", "minimum": 0, "maximum": 1},
        "discovery": {"enum": ["popular", "balanced", "deep"]},
        "explicit": {"type": "boolean"},
    },
}

_DEVICE = {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{1,128}$"}

_RATE = {
    "type": "object",
    "required": [
        "device_id", "requests_made_today", "max_requests_per_day", "refinements_used",
        "max_refinements", "can_make_request", "can_refine", "playlist_limit_enabled",
        "refinement_limit_enabled",
    ],
    "properties": {
        "device_id": {"type": "string", "description": "hashed"},
        "requests_made_today": {"type": "integer"},
        "max_requests_per_day": {"type": "integer"},
        "refinements_used": {"type": "integer"},
        "max_refinements": {"type": "integer"},
        "can_make_request": {"type": "boolean"},
        "can_refine": {"type": "boolean"},
        "playlist_limit_enabled": {"type": "boolean"},
        "refinement_limit_enabled": {"type": "boolean"},
        "resets_at": {"type": "string", "format": "date-time"},
    },
}


_AUTH_INIT = {
    "type": "object",
    "required": ["auth_url", "state", "session_id", "expires_at"],
    "properties": {
        "auth_url": {"type": "string"},
        "state": {"type": "string"},
        "session_id": {"type": "string", "format": "uuid"},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}

_REGISTERED = {
    "type": "object",
    "required": ["device_id", "device_secret"],
    "properties": {
        "device_id": _DEVICE,
        "device_secret": {"type": "string", "description": "send it as X-Device-Secret"},
        "header": {"type": "string"},
    },
}

_HEALTH = {
    "type": "object",
    "required": ["status", "version", "services", "features"],
    "properties": {
        "status": {"enum": ["healthy", "degraded", "unhealthy"]},
        "version": {"type": "string"},
        "services": {"type": "object", "additionalProperties": {"type": "boolean"}},
        "features": {"type": "object"},
        "dependencies": {"type": "object", "additionalProperties": {
            "type": "object",
            "required": ["ok", "detail", "latency_ms"],
            "properties": {"ok": {"type": "boolean"}, "detail": {"type": "string"},
                           "latency_ms": {"type": ["number", "null"]}},
        }},
    },
}

_AUTH_VALIDATE = {
    "type": "object",
    "required": ["valid", "spotify_user_id", "expires_at"],
    "properties": {
        "valid": {"type": "boolean"},
        "spotify_user_id": {"type": ["string", "null"]},
        "expires_at": {"type": ["string", "null"], "format": "date-time"},
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {400: "Malformed JSON",
            401: "Missing or wrong API key, or device secret (X-Device-Secret)",
            404: "Unknown playlist",
            413: "Body too large", 422: "Invalid input or not a music request",
            429: "Limit reached (Retry-After when it resets)", 503: "A dependency is down"}
    return {str(s): {"description": text[s], **_json({"$ref": "#/components/schemas/Error"})}
            for s in statuses}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, **_json(schema)}


def openapi_document() -> dict[str, Any]:
    """The whole document (a fresh dict each call)."""
    generate_body = {
        "type": "object",
        "required": ["prompt", "device_id"],
        "properties": {
            "prompt": {"type": "string"},
            "device_id": _DEVICE,
            "count": {"type": "integer", "minimum": 1,
                      "description": "1 to the operator's MAX_SONGS_PER_PLAYLIST"},
            "user_context": _USER_CONTEXT,
        },
    }
    refine_body = {
        "type": "object",
        "required": ["prompt", "device_id"],
        "properties": {
            "prompt": {"type": "string", "description": "the feedback"},
            "device_id": _DEVICE,
            "playlist_id": {"type": "string"},
            "current_songs": {"type": "array", "items": {"$ref": "#/components/schemas/Song"},
                              "description": "the client's own playlist, refined by prompt: it "
                              "costs a playlist and gets the music check, as generating does"},
            "count": {"type": "integer", "minimum": 1},
        },
    }
    playlist_ok = {"description": "The playlist", **_json({"$ref": "#/components/schemas/Playlist"})}
    blend_body = {
        "type": "object",
        "required": ["device_id", "members"],
        "properties": {
            "device_id": _DEVICE,
            "name": {"type": "string", "description": "how the credits name the starter"},
            "members": {"type": "array", "minItems": 1, "maxItems": 9,
                        "items": {"$ref": "#/components/schemas/BlendMember"}},
            "prompt": {"type": "string", "description": "the occasion (optional)"},
            "count": {"type": "integer", "minimum": 1},
        },
    }
    # Device routes: an API key (its holder vouches for its device ids), or the device's own
    # secret (a server reachable beyond its machine without API_KEYS), or nothing (loopback).
    security: list[dict[str, list[str]]] = [{"ApiKey": []}, {"Bearer": []},
                                            {"DeviceSecret": []}, {}]
    keyed: list[dict[str, list[str]]] = [{"ApiKey": []}, {"Bearer": []}, {}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "EchoTuner API",
            "version": VERSION,
            "description": "Turn a sentence into a real Spotify playlist. Every error is "
                           "{\"error\": {\"code\", \"message\"}}. Each client address has "
                           "a daily budget of generations and sign-ins (429, Retry-After).",
        },
        "paths": {
            "/generate-playlist": {"post": {
                "operationId": "generatePlaylist", "security": security,
                "requestBody": _body(generate_body),
                "responses": {"200": playlist_ok, **_errors(400, 401, 413, 422, 429, 503)},
            }},
            "/blend": {"post": {
                "operationId": "blend", "security": security,
                "description": "One playlist from the tastes of several devices, each with "
                               "its own profile, mixed fairly; a draft of the starting device, "
                               "charged once to it. Every member device must be proven like "
                               "the starter: its device_secret, unless an API key vouches.",
                "requestBody": _body(blend_body),
                "responses": {"200": {"description": "The blend",
                                      **_json({"$ref": "#/components/schemas/BlendPlaylist"})},
                              **_errors(400, 401, 413, 422, 429, 503)},
            }},
            "/register-device": {"post": {
                "operationId": "registerDevice", "security": keyed,
                "requestBody": {"required": False, **_json({
                    "type": "object",
                    "properties": {"platform": {"type": "string",
                                                "pattern": "^[A-Za-z0-9._\\-]{1,32}$"}},
                })},
                "responses": {"201": {"description": "A new device id and its secret",
                                      **_json({"$ref": "#/components/schemas/Registered"})},
                              **_errors(400, 401, 413, 422, 429)},
            }},
            "/health": {"get": {
                "operationId": "health", "security": [{}],
                "responses": {
                    "200": {"description": "healthy or degraded (an optional dependency is down)",
                            **_json({"$ref": "#/components/schemas/Health"})},
                    "503": {"description": "unhealthy: the database, model or catalogue is down",
                            **_json({"$ref": "#/components/schemas/Health"})},
                },
            }},
            "/refine-playlist": {"post": {
                "operationId": "refinePlaylist", "security": security,
                "requestBody": _body(refine_body),
                "responses": {"200": playlist_ok, **_errors(400, 401, 404, 413, 422, 429, 503)},
            }},
            "/rate-limit-status/{device_id}": {"get": {
                "operationId": "rateLimitStatus", "security": security,
                "parameters": [{"name": "device_id", "in": "path", "required": True,
                                "schema": _DEVICE}],
                "responses": {"200": {"description": "Limits",
                                      **_json({"$ref": "#/components/schemas/RateLimitStatus"})},
                              **_errors(401, 422)},
            }},
            "/auth/init": {"get": {
                "operationId": "authInit", "security": security,
                "parameters": [
                    {"name": "device_id", "in": "query", "required": True, "schema": _DEVICE},
                    {"name": "platform", "in": "query", "required": False,
                     "schema": {"type": "string", "pattern": "^[A-Za-z0-9._\\-]{1,32}$"}},
                ],
                "responses": {"200": {"description": "Open auth_url; validate session_id later",
                                      **_json({"$ref": "#/components/schemas/AuthInit"})},
                              **_errors(401, 422, 429, 503)},
            }},
            "/auth/validate": {"post": {
                "operationId": "authValidate", "security": security,
                "requestBody": _body({
                    "type": "object", "required": ["session_id", "device_id"],
                    "properties": {"session_id": {"type": "string"}, "device_id": _DEVICE},
                }),
                "responses": {"200": {"description": "Whether the session is linked and live",
                                      **_json({"$ref": "#/components/schemas/AuthValidate"})},
                              **_errors(400, 401, 413, 422)},
            }},
            "/openapi.json": {"get": {
                "operationId": "openapi", "security": [{}],
                "responses": {"200": {"description": "This document",
                                      **_json({"type": "object"})}},
            }},
        },
        "components": {
            "schemas": {"Error": _ERROR, "Song": _SONG, "Playlist": _PLAYLIST,
                        "RateLimitStatus": _RATE, "AuthInit": _AUTH_INIT,
                        "AuthValidate": _AUTH_VALIDATE, "Registered": _REGISTERED,
                        "Health": _HEALTH, "BlendPlaylist": _BLEND_PLAYLIST,
                        "BlendMember": _BLEND_MEMBER},
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "Bearer": {"type": "http", "scheme": "bearer"},
                "DeviceSecret": {"type": "apiKey", "in": "header", "name": "X-Device-Secret",
                                 "description": "from POST /register-device"},
            },
        },
    }
