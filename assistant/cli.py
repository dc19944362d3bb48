"""``python -m assistant``: run, train, check, catalogue import/export, purge, chat."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import signal
import sys
import uuid
from pathlib import Path

import httpx

from assistant import rasa_tasks
from assistant.logged_run import tail
from assistant.rasa_endpoints import StoreUrlError
from assistant.secrets_file import load_or_create
from assistant.settings import ROOT, AssistantSettings, get_settings, load_env_file
from assistant.stack import component_env, components, rasa_endpoints
from assistant.supervisor import ComponentFailed, Scheduled, Supervisor, is_healthy
from shared.log_masking import install_log_masking

DAY_S = 24 * 3600.0


def say(message: str) -> None:
    """Tell the operator something (stderr, unbuffered)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def run_log_dir(settings: AssistantSettings) -> Path:
    """This run's log folder: every child process's output goes there, not to the terminal."""
    return settings.data_dir / "logs" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def cmd_run(settings: AssistantSettings, args: argparse.Namespace) -> int:
    """Train if needed, start every component, print where to go, and watch until Ctrl-C."""
    log_dir = run_log_dir(settings)
    say(f"Starting Dastyar; logs in {log_dir}")
    if not args.no_train and rasa_tasks.train(settings, log_dir / "train.log", say) != 0:
        return 1
    secrets, created = load_or_create(settings.data_dir)
    supervisor = Supervisor(log_dir, say)
    stopping = {"flag": False}

    def request_stop(_signum: int, _frame: object) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    env = component_env(settings, secrets)
    try:
        endpoints, rasa_secrets = rasa_endpoints(settings, supervisor.log_dir)
        for component in components(settings, env, endpoints, rasa_secrets):
            if stopping["flag"]:
                break
            supervisor.start(component, settings.start_timeout)
    except StoreUrlError as exc:
        say(f"✗ Rasa's stores are misconfigured: {exc}")
        return 1
    except ComponentFailed as exc:
        say(f"✗ {exc.component.name} failed: {exc.reason}. Last lines of {exc.component.log_path}:")
        for line in tail(exc.component.log_path):
            say(f"    {line}")
        supervisor.stop_all()
        return 1
    if not stopping["flag"]:
        say("")
        say("Dastyar (دستیار) is running:")
        say(f"  web chat       {settings.url(settings.gateway_port)}/")
        say(f"  staff console  {settings.url(settings.backend_port)}/console/")
        say(f"  backend API    {settings.url(settings.backend_port)}/docs")
        rasa_urls = ", ".join(settings.url(port) for port in settings.rasa_ports)
        say(f"  Rasa server    {rasa_urls}")
        say(f"  action server  {settings.url(settings.actions_port)}")
        if created:
            from backend_api.settings import BackendSettings

            admin = BackendSettings().admin_username
            say(
                f"  admin login    {admin} / {secrets['DASTYAR_BACKEND_ADMIN_PASSWORD']}"
                f"  (stored in {settings.data_dir / 'secrets.env'})"
            )
        say("Press Ctrl-C to stop.")
        # personal data past its retention goes daily while the stack runs (assistant/purge.py)
        purge = [str(settings.app_python), "-m", "assistant", "purge"]
        supervisor.schedule(Scheduled("purge", purge, every_s=DAY_S, env=env, cwd=ROOT))
    dead = supervisor.watch(lambda: stopping["flag"])
    if dead is not None:
        say(f"✗ {dead.name} stopped unexpectedly. Last lines of {dead.log_path}:")
        for line in tail(dead.log_path):
            say(f"    {line}")
    say("Stopping…")
    supervisor.stop_all()
    say("Stopped.")
    return 1 if dead is not None else 0


def cmd_train(settings: AssistantSettings, args: argparse.Namespace) -> int:
    """Train the Rasa model."""
    log_path = run_log_dir(settings) / "train.log"
    return rasa_tasks.train(settings, log_path, say, force=args.force)


def cmd_evaluate(settings: AssistantSettings, args: argparse.Namespace) -> int:
    """Rasa's standard NLU and story reports (``nlu``), or a question set scored end to end
    through the running assistant (``questions``)."""
    if args.what == "nlu":
        return rasa_tasks.evaluate(settings, Path(args.out))
    from assistant.question_eval import Targets, evaluate_set, render

    path = Path(args.set)
    summary = evaluate_set(
        settings, path, rasa_url=args.rasa_url, results=Path(args.out), say=say, limit=args.limit
    )
    if args.json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render(summary, path.name) + "\n")
    missed = Targets().check(summary)
    for line in missed:
        say(f"target missed: {line}")
    return 1 if missed and args.strict else 0


def cmd_check(settings: AssistantSettings, _args: argparse.Namespace) -> int:
    """Report the health of every component; non-zero if any is down."""
    failures = 0
    for component in components(settings, component_env(settings, {})):
        healthy = is_healthy(component.health_url)
        failures += not healthy
        say(f"{'✓' if healthy else '✗'} {component.name:<8} {component.health_url}")
    return 1 if failures else 0


def cmd_catalogue(settings: AssistantSettings, args: argparse.Namespace) -> int:
    """Import or export the catalogue straight into or out of the backend database."""
    from backend_api.catalogue.transfer import (
        CatalogueImportError,
        export_catalogue,
        import_bundle,
        load_sources,
    )
    from backend_api.db import make_engine, make_session_factory
    from backend_api.migrate import upgrade
    from backend_api.settings import BackendSettings
    from backend_api.users.security import Principal

    backend = BackendSettings(data_dir=settings.data_dir)
    url = backend.resolved_database_url()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        if args.action == "export":
            files = export_catalogue(session, Path(args.path), args.format)
            say(f"exported {len(files)} file(s) to {args.path}")
            return 0
        bundle = load_sources(Path(args.path))
        try:
            counts = import_bundle(session, bundle, Principal("cli", "admin"))
        except CatalogueImportError as exc:
            session.rollback()
            say(f"Nothing was imported: {len(exc.problems)} problem(s):")
            for problem in exc.problems:
                say(f"  {problem}")
            return 1
        if args.dry_run:
            session.rollback()
            say(f"valid: {counts} (dry run, nothing written)")
        else:
            session.commit()
            say(f"imported {counts}")
    return 0


def cmd_purge(settings: AssistantSettings, args: argparse.Namespace) -> int:
    """Purge personal data past its retention (or, with --dry-run, say what would go)."""
    from assistant.purge import purge, report

    for line in report(purge(settings, args.dry_run), args.dry_run):
        sys.stdout.write(line + "\n")
    return 0


def cmd_chat(settings: AssistantSettings, args: argparse.Namespace) -> int:
    """Talk to the assistant from the terminal through the gateway."""
    url = f"{settings.url(settings.gateway_port)}/api/chat"
    sender = args.sender or f"cli-{uuid.uuid4().hex[:8]}"
    say("Type a message (Ctrl-D to quit).")
    with httpx.Client(timeout=30) as client:
        for line in sys.stdin:
            text = line.strip()
            if not text:
                continue
            try:
                response = client.post(url, json={"sender": sender, "message": text})
                response.raise_for_status()
            except httpx.HTTPError as exc:
                say(f"(the gateway at {url} did not answer: {exc.__class__.__name__})")
                return 1
            for message in response.json().get("messages", []):
                say(f"دستیار: {message.get('text', '')}")
                for i, button in enumerate(message.get("buttons", []), start=1):
                    say(f"   {i}. {button.get('title', '')}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="train if needed and start the whole assistant")
    run.add_argument("--no-train", action="store_true", help="use the newest model as it is")
    run.set_defaults(handler=cmd_run)
    train = sub.add_parser("train", help="train the Rasa model")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    train.set_defaults(handler=cmd_train)
    sub.add_parser("check", help="health of every component").set_defaults(handler=cmd_check)
    evaluate = sub.add_parser(
        "evaluate", help="NLU and story reports, or a question set end to end, under results/"
    )
    evaluate.add_argument("what", nargs="?", choices=("nlu", "questions"), default="nlu")
    evaluate.add_argument("--out", default="results", help="report folder")
    evaluate.add_argument(
        "--set", default="data/knowledge-eval/blind.jsonl", help="questions: the set to score"
    )
    evaluate.add_argument("--json", action="store_true", help="questions: print one JSON object")
    evaluate.add_argument(
        "--rasa-url", default=None, help="questions: a running Rasa (default: start a private one)"
    )
    evaluate.add_argument("--limit", type=int, default=0, help="questions: only the first N")
    evaluate.add_argument(
        "--strict", action="store_true", help="questions: exit 1 when a target is missed"
    )
    evaluate.set_defaults(handler=cmd_evaluate)
    catalogue = sub.add_parser("catalogue", help="import or export the service catalogue")
    catalogue.add_argument("action", choices=("import", "export"))
    catalogue.add_argument("path", help="a file or folder (import) or a folder (export)")
    catalogue.add_argument("--format", choices=("yaml", "json", "csv"), default="yaml")
    catalogue.add_argument("--dry-run", action="store_true", help="validate only")
    catalogue.set_defaults(handler=cmd_catalogue)
    purge = sub.add_parser("purge", help="remove personal data past its retention period")
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    purge.set_defaults(handler=cmd_purge)
    chat = sub.add_parser("chat", help="talk to the assistant in the terminal")
    chat.add_argument("--sender", default="", help="conversation id (default: a new one)")
    chat.set_defaults(handler=cmd_chat)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    # The terminal gets progress and results through say(); library logs only when something
    # is wrong (the detail of every component is in the run's log folder).
    install_log_masking()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    load_env_file()
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(get_settings(), args))
    except KeyboardInterrupt:
        # Ctrl-C before the stack runs (while training): the children got it too and stopped.
        say("Stopped.")
        return 130
