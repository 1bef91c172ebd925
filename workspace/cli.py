"""`workspace` operator commands: migrate, create-org, create-api-key, reset-link, rotate-keys,
run-jobs."""

from __future__ import annotations

import argparse
import sys

from workspace.core.errors import ConfigError, DomainError


def _migrate(_args: argparse.Namespace) -> None:
    from workspace.core.migrate import upgrade_database

    upgrade_database()
    print("Database is up to date.")


def _create_org(args: argparse.Namespace) -> None:
    from workspace.core.db import session_scope
    from workspace.core.services.accounts import sign_up

    with session_scope() as session:
        user, org = sign_up(
            session,
            email=args.owner_email,
            password=args.password,
            name=args.owner_name or "",
            org_name=args.name,
        )
    print(f"Created organization {org.id} ({org.name}) owned by {user.email}.")


def _create_api_key(args: argparse.Namespace) -> None:
    from sqlmodel import select

    from workspace.core.actor import Actor
    from workspace.core.db import session_scope
    from workspace.core.errors import NotFound
    from workspace.core.models import Organization
    from workspace.core.services.api_keys import create_api_key

    with session_scope() as session:
        org = (
            session.get(Organization, args.org)
            or session.exec(select(Organization).where(Organization.name == args.org)).first()
        )
        if org is None:
            raise NotFound(f"No organization with id or name {args.org!r}.")
        key, raw = create_api_key(
            session, actor=Actor.system(org.id), name=args.name, test=args.test
        )
    print(raw)
    print(
        f"API key {key.id} ({key.mode}) for {org.name}. It is shown only this once.",
        file=sys.stderr,
    )


def _reset_link(args: argparse.Namespace) -> None:
    from workspace.core.db import session_scope
    from workspace.core.services.accounts import password_reset_link

    with session_scope() as session:
        url = password_reset_link(session, email=args.email)
    print(url)
    print("The link sets a new password once and expires in one hour.", file=sys.stderr)


def _rotate_keys(_args: argparse.Namespace) -> None:
    import workspace.core.services  # noqa: F401  (registers the re-wrap hooks)
    from workspace.core.keyring import rotate_master_key

    key_id, counts = rotate_master_key()
    summary = ", ".join(f"{n}: {c}" for n, c in counts.items()) or "nothing stored yet"
    print(f"New master key {key_id} is active. Re-wrapped {summary}.")


def _run_jobs(_args: argparse.Namespace) -> None:
    import asyncio
    import contextlib
    import logging

    import workspace.core.services  # noqa: F401  (registers the job handlers)
    from workspace.core.jobs import Runner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print("Running background jobs (webhooks, email, reminders). Stop with Ctrl+C.", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(Runner(batch_size=100).run_forever())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workspace", description="Workspace operator commands.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="Apply database migrations.").set_defaults(func=_migrate)

    org = sub.add_parser("create-org", help="Create an organization and its owner account.")
    org.add_argument("--name", required=True, help="Organization name")
    org.add_argument("--owner-email", required=True)
    org.add_argument("--password", required=True, help="Owner password (8+ characters)")
    org.add_argument("--owner-name", default="")
    org.set_defaults(func=_create_org)

    key = sub.add_parser("create-api-key", help="Create an API key and print it once.")
    key.add_argument("--org", required=True, help="Organization id or exact name")
    key.add_argument("--name", required=True, help="A name to recognise the key by")
    key.add_argument("--test", action="store_true", help="Create a test-mode key (wgs_test_…)")
    key.set_defaults(func=_create_api_key)

    reset = sub.add_parser(
        "reset-link",
        help="Print a one-time password reset link for an account (when email is not set up).",
    )
    reset.add_argument("--email", required=True, help="The account's email")
    reset.set_defaults(func=_reset_link)

    rotate = sub.add_parser(
        "rotate-keys", help="Add a new master key and re-wrap every stored data key under it."
    )
    rotate.set_defaults(func=_rotate_keys)

    sub.add_parser(
        "run-jobs",
        help="Run background jobs in this process (a worker beside the web app, which "
        "also runs them unless RUN_JOBS=false).",
    ).set_defaults(func=_run_jobs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from workspace.core.config import get_settings

        get_settings()
        args.func(args)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        field = exc.details.get("field")
        print(f"Error: {exc.message}" + (f" ({field})" if field else ""), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
