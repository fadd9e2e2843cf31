"""A JSON API client acting as one user, the way an app would call us."""

import json

from django.test import Client


class ApiClient:
    def __init__(self, user=None, *, token: str | None = None):
        self.client = Client()
        self.headers = {}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        elif user is not None:
            self.client.force_login(user)

    def _send(self, method: str, path: str, data=None, **headers):
        kwargs = {**self.headers, **headers}
        if data is not None and method != "get":
            kwargs.update(data=json.dumps(data, default=str), content_type="application/json")
        elif data is not None:
            kwargs["data"] = data
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path, params=None, **h):
        return self._send("get", path, params, **h)

    def post(self, path, data=None, **h):
        return self._send("post", path, data if data is not None else {}, **h)

    def put(self, path, data=None, **h):
        return self._send("put", path, data if data is not None else {}, **h)

    def patch(self, path, data=None, **h):
        return self._send("patch", path, data or {}, **h)

    def delete(self, path, **h):
        return self._send("delete", path, None, **h)
