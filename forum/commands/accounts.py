"""`flask users create|set-role`: accounts from the command line (the first admin, staff roles)."""
import click
from flask.cli import AppGroup

from ..models import Role
from ..services.errors import DomainError
from ..services.people import accounts
from ..unit_of_work import transaction

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(Role.ALL), default=Role.MEMBER, show_default=True)
def create_user(username: str, email: str, password: str, role: str) -> None:
    """Create an account, e.g. a staff member with --role admin (its address counts as confirmed)."""
    try:
        with transaction():
            user = accounts.register_user(username, email, password, role=role, verified=True)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Created {user.role} {user.username} (id {user.id}).")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(Role.ALL))
def set_role(username: str, role: str) -> None:
    """Change an existing account's role."""
    try:
        with transaction():
            user = accounts.set_role(username, role)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"{user.username} is now {user.role}.")
