"""A stand-in web app after an update: its pages say things differently (for the drift watch tests)."""

from __future__ import annotations


def changed_markup(replacements: dict[str, str]):
    """The web app after an update: its agenda page and script say things differently."""

    def wrap(app):
        async def changed(scope, receive, send):
            if scope["type"] != "http" or not scope["path"].startswith(("/agenda", "/static/agenda.js")):
                await app(scope, receive, send)
                return

            async def rewrite(message):
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [(k, v) for k, v in message["headers"]
                                                      if k.lower() != b"content-length"]}
                elif message["type"] == "http.response.body":
                    body = message.get("body", b"")
                    for old, new in replacements.items():
                        body = body.replace(old.encode(), new.encode())
                    message = {**message, "body": body}
                await send(message)

            await app(scope, receive, rewrite)

        return changed

    return wrap
