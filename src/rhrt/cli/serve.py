# SPDX-License-Identifier: MIT
"""``rhrt serve``: the practitioners' page and the JSON API on this machine (``rhrt[serve]``).

Binds to 127.0.0.1 unless ``--host`` says otherwise; any other address gets a loud warning
(rhrt serve has no accounts: access control is the host's job, see docs/serve.md). With
``--log URL`` each decision is appended to a decision log; ``--export-log FILE`` writes the
log's rows made under this ruleset in ``rhrt audit``'s table layout, and exits.
"""

from __future__ import annotations

import argparse
import sys

from rhrt.cli._common import add_rules_option, ruleset_from_args
from rhrt.cli._numbers import seconds, whole_number
from rhrt.errors import MissingExtraError

MAX_CONNECTIONS = 100
"""Connections and tasks served at once; more are answered 503 at once (a bound on memory)."""
WARNING = (
    "WARNING: rhrt serve is listening on {host}, which is not a loopback address.\n"
    "WARNING: anyone who can reach this machine on port {port} can use it: rhrt serve has no\n"
    "WARNING: accounts and no encryption. Put it behind your own authenticating HTTPS proxy.\n"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="a practitioners' page and a JSON API (rhrt[serve])",
        description=(
            "Serve a page where a practitioner ticks concerns and gets the level, why, what to "
            "do, consent and a draft referral, and a JSON API (OpenAPI at /openapi.json). "
            "Nothing is stored unless --log is given; no cookies; no external assets."
        ),
    )
    add_rules_option(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default %(default)s: this machine only)")
    p.add_argument("--port", type=whole_number(0, 65535), default=8000,
                   help="port (default %(default)s; 0 picks a free one)")
    p.add_argument("--log", metavar="URL",
                   help="append every decision to a log: sqlite:///PATH or postgresql://...")
    p.add_argument("--log-notes", action="store_true",
                   help="keep practitioners' notes and the referral source in the log too")
    p.add_argument("--export-log", metavar="FILE",
                   help="write the log's decisions under this ruleset as a CSV that rhrt "
                   "audit reads, then exit (needs --log)")
    p.add_argument("--max-body", type=whole_number(1_000, 50_000_000), default=1_000_000,
                   metavar="BYTES", help="largest request body (default %(default)s)")
    p.add_argument("--timeout", type=seconds(300.0), default=10.0, metavar="SECONDS",
                   help="longest one request may take (default %(default)s)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rhrt.cli._common import check_outputs
    from rhrt.errors import ArgumentError

    if args.export_log is not None:
        if args.log is None:
            raise ArgumentError("--export-log", "", None,
                                message="--export-log needs --log URL (the log to export)")
        check_outputs(args, args.export_log)
    try:
        import fastapi  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn
    except ModuleNotFoundError:
        raise MissingExtraError("rhrt serve", "serve") from None
    from rhrt.serve import is_loopback
    from rhrt.serve.app import create_app
    from rhrt.serve.log import DecisionLog

    ruleset = ruleset_from_args(args)
    log = None
    if args.log:  # an export reads an existing log; it never starts an empty one
        log = DecisionLog(args.log, include_notes=args.log_notes,
                          create=args.export_log is None)
    if args.export_log is not None:
        assert log is not None
        rows = log.export_csv(args.export_log, ruleset_sha256=ruleset.stamp.sha256)
        sys.stderr.write(f"{rows} decisions written for rhrt audit\n")
        return 0
    loopback = is_loopback(args.host)
    if not loopback:
        sys.stderr.write(WARNING.format(host=args.host, port=args.port))
    app = create_app(ruleset, log=log, max_body=args.max_body, timeout=args.timeout,
                     loopback_only=loopback)
    where = f"[{args.host}]" if ":" in args.host else args.host
    sys.stderr.write(
        f"rhrt serve: {ruleset.id} {ruleset.version} on http://{where}:{args.port}/ "
        f"({'decision log: ' + (log.backend if log else '') if log else 'nothing stored'})\n"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                server_header=False, date_header=False, limit_concurrency=MAX_CONNECTIONS,
                timeout_keep_alive=5)
    return 0
