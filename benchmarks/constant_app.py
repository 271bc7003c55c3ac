"""The throughput ceiling: a Flask app that answers every GET with one constant JSON body,
served by the same WSGI server (waitress) as mockplex."""

from flask import Flask, Response

BODY = (b'{"id":308667304,"code":"7RQZ","product":"0","trusted":false,'
        b'"authToken":null,"newRegistration":null}')
app = Flask(__name__)


@app.get("/<path:anything>")
def constant(anything: str) -> Response:
    return Response(BODY, content_type="application/json; charset=utf-8")
