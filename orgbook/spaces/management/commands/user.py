from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from orgbook.spaces.management.base import OrgbookCommand
from orgbook.spaces.members import is_email


class Command(OrgbookCommand):
    help = "Manage user accounts."
    actions = {"create": "create a user (the password is read from stdin or prompted)"}

    def args_create(self, p: CommandParser) -> None:
        p.add_argument("--email", required=True)
        p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle_create(self, email: str, password_stdin: bool, **_: Any) -> dict[str, Any]:
        User = get_user_model()
        email = User.objects.normalize_email(email.strip()).lower()
        if not is_email(email):
            raise CommandError("--email must be an email address.")
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with email {email} already exists.")
        if not password_stdin and not sys.stdin.isatty():
            # getpass would read an empty stdin (a script, CI) and fail with EOFError.
            raise CommandError("no terminal to ask for the password on; pipe it in with --password-stdin.")
        password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("Password: ")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user = User.objects.create_user(username=email, email=email, password=password)
        return {"id": user.pk, "email": email}
