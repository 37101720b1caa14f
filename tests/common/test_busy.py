"""
The busy state's answer cookie (common.middleware.BusyTokenMiddleware, static/common/busy.js): a GET
that carries `?busy=<token>` is answered with a short-lived cookie `portal_busy=<token>` that the page's
script can read; anything but a short safe token is ignored.
"""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from common.middleware import BUSY_COOKIE, BusyTokenMiddleware

TOKEN = "3fa2c9d01b7e44a5c6d8e9f0"  # what busy.js makes: 12 random bytes as hex


def answer(path: str, method: str = "get", **extra) -> HttpResponse:
    request = getattr(RequestFactory(), method)(path, **extra)
    return BusyTokenMiddleware(lambda request: HttpResponse(b"%PDF-1.4", content_type="application/pdf"))(request)


def test_a_file_asked_for_with_a_token_answers_with_the_cookie():
    response = answer(f"/meetings/briefings/savings/2026.pdf?busy={TOKEN}")
    cookie = response.cookies[BUSY_COOKIE]
    assert cookie.value == TOKEN
    assert cookie["max-age"] == 60 and cookie["path"] == "/" and cookie["samesite"] == "Lax"
    assert not cookie["httponly"]  # the page's script reads it
    assert not cookie["secure"]
    assert response.content == b"%PDF-1.4"  # the answer itself is untouched
    secure = answer(f"/x.pdf?busy={TOKEN}", secure=True).cookies[BUSY_COOKIE]
    assert secure["secure"]


def test_the_cookie_comes_with_any_answer_so_an_error_ends_the_wait_too():
    def fails(request):
        return HttpResponse(status=403)

    response = BusyTokenMiddleware(fails)(RequestFactory().get(f"/x.pdf?busy={TOKEN}"))
    assert response.status_code == 403 and response.cookies[BUSY_COOKIE].value == TOKEN


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?format=xlsx",
        "?busy=",
        "?busy=short",  # under 8 characters
        "?busy=" + "a" * 65,  # over 64
        "?busy=abc%3B%20Path%3D%2Fadmin",  # "abc; Path=/admin": no cookie attributes smuggled in
        "?busy=abcdefgh%0D%0ASet-Cookie%3A%20x%3D1",  # a header injection attempt
        "?busy=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "?busy=%C4%91%C3%A2y-l%C3%A0-ti%E1%BA%BFng-vi%E1%BB%87t",  # not ASCII
        "?busy=abcdefgh%20ijkl",  # a space
    ],
)
def test_junk_is_ignored(query):
    response = answer(f"/x.pdf{query}")
    assert BUSY_COOKIE not in response.cookies
    assert response.status_code == 200


def test_only_reads_ask_for_it():
    response = answer(f"/meetings/briefings/1/minutes/add/?busy={TOKEN}", method="post")
    assert BUSY_COOKIE not in response.cookies


@pytest.mark.django_db
def test_the_portal_runs_it(client, admin_user):
    """Through the whole middleware stack, on a real export: the file and the cookie."""
    client.force_login(admin_user)
    response = client.get(f"/sites/units/export/?format=xlsx&busy={TOKEN}")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response.cookies[BUSY_COOKIE].value == TOKEN
    assert BUSY_COOKIE not in client.get("/sites/units/export/?format=xlsx").cookies
