"""The upper reference of the casting benchmark: a Flask endpoint that parses a ballot's JSON
and answers a receipt, with no database, no scope, no limiter. Served by gunicorn with the
same deploy/gunicorn.conf.py as the app: `gunicorn -c deploy/gunicorn.conf.py bench.bare_app:app`.
"""
import secrets

from flask import Flask, jsonify, request

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
bare = Flask(__name__)


@bare.get("/healthz")
def healthz():
    return "ok"


@bare.post("/api/v1/polls/<slug>/ballots")
def cast(slug):
    body = request.get_json()
    if not isinstance(body, dict) or not body.get("code"):
        return jsonify(code="invalid"), 422
    tracker = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return jsonify(tracker=f"{tracker[:4]}-{tracker[4:]}"), 201


# gunicorn.conf.py's post_fork resets the pools of a Flask app it is given; this one has none,
# so it is handed over as its bare WSGI callable (what the conf takes for a middleware).
app = bare.wsgi_app
