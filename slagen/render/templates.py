"""The Jinja environment every document is rendered with.

One loader searches the user's `--templates DIR` first, then the packaged templates, so a
user overrides one clause or the page layout without copying the library (mkdocs' theme
overrides). Templates are treated as code a user may supply: they run in Jinja's sandbox,
undefined names are errors, and the context holds data only (no clock, no randomness).
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

import slagen
from slagen.errors import RenderError, UsageError


def packaged_templates() -> Path:
    """`slagen/_templates` in an installed wheel, `templates/` in a source checkout."""
    here = Path(slagen.__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise RenderError("slagen's packaged templates are missing; reinstall slagen")


def search_path(user_dir: Path | None) -> list[Path]:
    """Template directories in lookup order: the user's first."""
    dirs = [packaged_templates()]
    if user_dir is not None:
        if not user_dir.is_dir():
            raise UsageError(f"--templates {user_dir}: not a directory")
        dirs.insert(0, user_dir.resolve())
    return dirs


def environment(user_dir: Path | None = None) -> jinja2.Environment:
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in search_path(user_dir)]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "html.j2", "svg.j2"], default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render(env: jinja2.Environment, name: str, context: dict) -> str:
    """Render one template; Jinja's errors become a RenderError naming template and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name} not found in {', '.join(str(p) for p in env.loader.searchpath)}") from None  # type: ignore[union-attr]
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise RenderError(f"{name}: the template tried something templates may not do: {exc}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{name}{_line(exc)}: {exc.message}") from None
    except RenderError:
        raise
    except Exception as exc:  # a user template can raise anything; name it, do not crash
        raise RenderError(f"{name}{_line(exc)}: {type(exc).__name__}: {exc}") from None


def _line(exc: BaseException) -> str:
    """The template line of an error raised while rendering, from Jinja's rewritten traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return f":{line}" if line else ""
