"""A page declaring a Content-Length int() cannot read ("²" is a digit to str.isdigit) is a
fetch like any other, read up to the size limit, never a ValueError in the caller's job."""

import socket
import threading

import pytest

from projects.fetching import fetch


@pytest.fixture
def odd_length_server(settings):
    settings.FETCH_ALLOW_PRIVATE = True  # the server listens on 127.0.0.1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(10)

    def serve():
        try:
            connection, _address = listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            # "²" is sent as the byte 0xB2, which the client's parser reads as latin-1
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \xb2\r\n\r\nhello")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/page"
    listener.close()
    thread.join(5)


def test_a_superscript_content_length_does_not_break_the_fetch(odd_length_server):
    response = fetch(odd_length_server)
    assert response.status == 200
