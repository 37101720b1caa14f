"""The portal's ASGI handler runs the middleware chain and the view in one hop to the worker thread."""

import asyncio

from asgiref.testing import ApplicationCommunicator


def test_a_request_takes_three_hops_to_the_worker_thread_not_one_per_middleware(sync_hops):
    from portal.asgi import django_asgi_app

    async def request():
        # Janus's event endpoint without credentials: the whole chain runs, the view answers 401.
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/janus/events/",
            "raw_path": b"/api/janus/events/",
            "query_string": b"",
            "headers": [(b"host", b"localhost"), (b"content-type", b"application/json")],
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 5000),
        }
        communicator = ApplicationCommunicator(django_asgi_app, scope)
        await communicator.send_input({"type": "http.request", "body": b"[]", "more_body": False})
        start = await communicator.receive_output(10)
        body = await communicator.receive_output(10)
        await communicator.wait(10)
        return {"status": start["status"], "headers": start["headers"], "body": body["body"]}

    response = asyncio.run(request())
    assert response["status"] == 401
    assert b"authentication required" in response["body"]
    # The request_started signal, the chain with the view, the response's close (Django's own handler
    # made 15 hops for this request: two per middleware).
    assert len(sync_hops) <= 3, sync_hops
    # The middleware still ran: its headers are on the answer.
    headers = {name.lower(): value for name, value in response["headers"]}
    assert headers[b"x-frame-options"] == b"DENY"
    assert b"script-src 'self'" in headers[b"content-security-policy"]
    assert headers[b"content-language"] == b"en"
